package comparator_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/shadowread/shadowread/comparator"
)

// TestLocation: the URL a redirect or a created resource names comes from
// the store, so Location and Content-Location are compared by default for
// 3xx and 201, as URLs; for other statuses they are not.
func TestLocation(t *testing.T) {
	redirect := func(status int, kv ...string) comparator.Response {
		return withHeaders(withStatus(status, ""), kv...)
	}
	tests := []struct {
		name            string
		primary, shadow comparator.Response
		opts            []comparator.Option
		want            []string // "path kind" of each difference
		reason          string
	}{
		{name: "302 to another resource", primary: redirect(302, "Location", "/orders/17"), shadow: redirect(302, "Location", "/orders/18"),
			want: []string{"$header.Location value_changed"}, reason: "the stores disagree about where the resource is"},
		{name: "302 to the same resource", primary: redirect(302, "Location", "/orders/17"), shadow: redirect(302, "Location", "/orders/17"),
			reason: "equal URLs match"},
		{name: "the same URL spelled otherwise", primary: redirect(301, "Location", "HTTPS://API.example.com/orders/17?a=1&b=2#top"),
			shadow: redirect(301, "Location", "https://api.example.com/orders/%31%37?b=2&a=1"),
			reason: "scheme and host without case, the path decoded, the query as parameters, no fragment"},
		{name: "another query", primary: redirect(303, "Location", "/orders?page=2"), shadow: redirect(303, "Location", "/orders?page=3"),
			want: []string{"$header.Location value_changed"}, reason: "the query names the resource too"},
		{name: "relative against absolute", primary: redirect(302, "Location", "/orders/17"), shadow: redirect(302, "Location", "https://api.example.com/orders/17"),
			want: []string{"$header.Location value_changed"}, reason: "equal only when the absolute URL has no host"},
		{name: "missing in the shadow", primary: redirect(307, "Location", "/orders/17"), shadow: redirect(307),
			want: []string{"$header.Location missing_in_shadow"}, reason: "a redirect to nowhere"},
		{name: "201 Content-Location", primary: redirect(201, "Content-Location", "/orders/17"), shadow: redirect(201, "Content-Location", "/orders/18"),
			want: []string{"$header.Content-Location value_changed"}, reason: "a created resource is named by the store too"},
		{name: "200 is not compared", primary: redirect(200, "Location", "/orders/17"), shadow: redirect(200, "Location", "/orders/18"),
			reason: "outside 3xx and 201, Location names nothing the store served"},
		{name: "404 is not compared", primary: redirect(404, "Location", "/a"), shadow: redirect(404, "Location", "/b"),
			reason: "nor for errors"},
		{name: "IgnoreHeaders", primary: redirect(302, "Location", "/orders/17"), shadow: redirect(302, "Location", "/orders/18"),
			opts: []comparator.Option{comparator.IgnoreHeaders("location")}, reason: "an ignored header is never compared"},
		{name: "CompareHeaders compares text", primary: redirect(302, "Location", "https://API.example.com/a"), shadow: redirect(302, "Location", "https://api.example.com/a"),
			opts: []comparator.Option{comparator.CompareHeaders("Location")}, want: []string{"$header.Location value_changed"},
			reason: "a header the user names is compared as before, as text, once"},
		{name: "CompareHeaders for 200", primary: redirect(200, "Location", "/a"), shadow: redirect(200, "Location", "/b"),
			opts: []comparator.Option{comparator.CompareHeaders("Location")}, want: []string{"$header.Location value_changed"},
			reason: "named, it is compared for every status"},
	}
	for _, tt := range tests {
		for _, preset := range []bool{false, true} {
			opts := tt.opts
			if preset {
				opts = append([]comparator.Option{comparator.PostgresDynamoDB()}, opts...)
			}
			res := comparator.JSON(opts...).Compare(tt.primary, tt.shadow)
			var got []string
			for _, d := range res.Diffs {
				got = append(got, d.Path+" "+string(d.Kind))
				if d.Field != d.Path || d.Hint.Triage == "" {
					t.Errorf("%s (preset %v): diff %+v: want Field = Path and a triage", tt.name, preset, d)
				}
			}
			if !slices.Equal(got, tt.want) || res.Equal != (len(tt.want) == 0) {
				t.Errorf("%s (preset %v): equal %v, diffs %q, want %q (%s)", tt.name, preset, res.Equal, got, tt.want, tt.reason)
			}
		}
	}
}

// TestLocationIsRedacted: ids in a Location reach no part of the diff
// unless values are shown.
func TestLocationIsRedacted(t *testing.T) {
	const id, other = "4f9c2e1a-77b3-4c1e-9a0d-2b6f8e5d1c3a", "ann@example.com"
	primary := withHeaders(withStatus(302, ""), "Location", "/customers/"+id+"/orders")
	shadow := withHeaders(withStatus(302, ""), "Location", "/customers/"+other+"/orders")
	for _, c := range []comparator.Comparator{comparator.JSON(), comparator.JSON(comparator.PostgresDynamoDB())} {
		res := c.Compare(primary, shadow)
		if len(res.Diffs) != 1 {
			t.Fatalf("diffs %v, want one", res.Diffs)
		}
		d := res.Diffs[0]
		all := d.Path + d.Field + d.Primary + d.Shadow + d.Hint.Option + d.Hint.Note
		if strings.Contains(all, id) || strings.Contains(all, other) || strings.Contains(all, "customers") {
			t.Errorf("diff %+v shows the URL", d)
		}
		if d.Hint.Note != "the URLs differ in path" {
			t.Errorf("note %q, want the part named", d.Hint.Note)
		}
	}
	shown := comparator.JSON(comparator.ShowValues()).Compare(primary, shadow).Diffs[0]
	if !strings.Contains(shown.Primary, id) {
		t.Errorf("ShowValues: primary %q, want the URL shown", shown.Primary)
	}
}
