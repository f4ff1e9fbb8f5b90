package comparator_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/shadowread/shadowread/comparator"
)

// orders returns a customer's list of n orders as JSON, without the
// orders whose ids skip names.
func orders(n int, skip ...int) string {
	var list []map[string]any
	for i := 1; i <= n; i++ {
		if slices.Contains(skip, i) {
			continue
		}
		list = append(list, map[string]any{"id": i, "status": "shipped", "total": json.Number(fmt.Sprintf("%d.50", i))})
	}
	b, _ := json.Marshal(map[string]any{"customer": 7, "orders": list})
	return string(b)
}

// TestOneMissingOrderIsOneDiff removes each order in turn from a list of
// twelve: by position, every later order would differ; by key, it is one
// difference, and the same signature wherever the order stood.
func TestOneMissingOrderIsOneDiff(t *testing.T) {
	for _, tt := range []struct {
		name   string
		opts   []comparator.Option
		reason string
	}{
		{"preset", []comparator.Option{comparator.PostgresDynamoDB()}, "the preset matches arrays of objects with distinct ids by id"},
		{"KeyedArrays", []comparator.Option{comparator.KeyedArrays("orders", "id")}, "the option names the array and its key"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := comparator.JSON(tt.opts...)
			signatures := map[string]bool{}
			for missing := 1; missing <= 12; missing++ {
				res := c.Compare(ok(orders(12)), ok(orders(12, missing)))
				want := comparator.Diff{Path: fmt.Sprintf("orders[id=%d]", missing), Field: "orders[]", Kind: comparator.MissingInShadow}
				if len(res.Diffs) != 1 || res.Diffs[0].Path != want.Path || res.Diffs[0].Field != want.Field || res.Diffs[0].Kind != want.Kind {
					t.Fatalf("order %d missing: diffs %+v, want one %s at %s, field %s (%s)", missing, res.Diffs, want.Kind, want.Path, want.Field, tt.reason)
				}
				signatures[res.Signature()] = true
			}
			if len(signatures) != 1 {
				t.Errorf("%d signatures for one missing order at different positions, want 1 (%s)", len(signatures), tt.reason)
			}
		})
	}
}

func TestKeyedArrays(t *testing.T) {
	preset := []comparator.Option{comparator.PostgresDynamoDB()}
	tests := []struct {
		name            string
		primary, shadow string
		opts            []comparator.Option
		want            []string // "path field kind"
		reason          string
	}{
		{name: "extra element", primary: `[{"id":1},{"id":2}]`, shadow: `[{"id":3},{"id":1},{"id":2}]`, opts: preset,
			want: []string{"[id=3] [] extra_in_shadow"}, reason: "an element only the shadow has is one difference"},
		{name: "changed element", primary: `[{"id":1,"a":1,"b":1},{"id":2,"a":1}]`, shadow: `[{"id":2,"a":1},{"id":1,"a":1,"b":2}]`, opts: preset,
			want: []string{"[id=1].b [].b value_changed"}, reason: "a changed element shows only its changed members, wherever it stands"},
		{name: "equal in another order", primary: `{"o":[{"id":1},{"id":2},{"id":3}]}`, shadow: `{"o":[{"id":3},{"id":1},{"id":2}]}`, opts: preset,
			reason: "matched by key, the order does not matter"},
		{name: "string keys", primary: `{"lines":[{"sku":"A-1","n":1},{"sku":"B-2","n":1}]}`, shadow: `{"lines":[{"sku":"B-2","n":2}]}`,
			opts: []comparator.Option{comparator.KeyedArrays("lines", "sku")},
			want: []string{`lines[sku="A-1"] lines[] missing_in_shadow`, `lines[sku="B-2"].n lines[].n value_changed`}, reason: "a string key is written as a JSON string"},
		{name: "keys by value", primary: `[{"id":1.0,"x":1},{"id":2,"x":1}]`, shadow: `[{"id":2,"x":1},{"id":1,"x":2}]`, opts: preset,
			want: []string{"[id=1.0].x [].x value_changed"}, reason: "1.0 and 1 are one key, written as the primary has it"},
		{name: "string and number keys differ", primary: `[{"id":1},{"id":2}]`, shadow: `[{"id":"1"},{"id":2}]`, opts: preset,
			want: []string{`[id="1"] [] extra_in_shadow`, "[id=1] [] missing_in_shadow"}, reason: `"1" and 1 are two keys`},
		{name: "repeated ids fall back to positions", primary: `[{"id":1,"x":1},{"id":1,"x":2}]`, shadow: `[{"id":1,"x":2},{"id":1,"x":1}]`, opts: preset,
			want: []string{"[0].x [].x value_changed", "[1].x [].x value_changed"}, reason: "a key must single out one element"},
		{name: "missing ids fall back to positions", primary: `[{"id":1},{"x":1}]`, shadow: `[{"x":1},{"id":1}]`, opts: preset,
			want:   []string{"[0].id [].id missing_in_shadow", "[0].x [].x extra_in_shadow", "[1].id [].id extra_in_shadow", "[1].x [].x missing_in_shadow"},
			reason: "every element must carry the key"},
		{name: "object ids fall back to positions", primary: `[{"id":{"a":1}},{"id":{"a":2}}]`, shadow: `[{"id":{"a":2}},{"id":{"a":1}}]`, opts: preset,
			want: []string{"[0].id.a [].id.a value_changed", "[1].id.a [].id.a value_changed"}, reason: "a key is a string, number or boolean"},
		{name: "scalars fall back to positions", primary: `{"tags":["a","b"]}`, shadow: `{"tags":["b","a"]}`, opts: preset,
			want: []string{"tags[0] tags[] value_changed", "tags[1] tags[] value_changed"}, reason: "the preset keeps the order of lists of values"},
		{name: "fallback to unordered", primary: `{"t":[{"k":1},{"k":1},{"v":2}]}`, shadow: `{"t":[{"v":2},{"k":1},{"k":1}]}`,
			opts: []comparator.Option{comparator.KeyedArrays("t", "k"), comparator.UnorderedPaths("t")}, reason: "an unordered array that cannot be keyed is a multiset"},
		{name: "explicit key over the preset's", primary: `{"o":[{"id":1,"sku":"a"},{"id":2,"sku":"b"}]}`, shadow: `{"o":[{"id":3,"sku":"b"},{"id":4,"sku":"a"}]}`,
			opts: []comparator.Option{comparator.PostgresDynamoDB(), comparator.KeyedArrays("o", "sku")},
			want: []string{`o[sku="a"].id o[].id value_changed`, `o[sku="b"].id o[].id value_changed`}, reason: "a path names its array more precisely than **"},
		{name: "nested keyed arrays", primary: `{"o":[{"id":1,"lines":[{"id":10,"q":1},{"id":11,"q":1}]}]}`, shadow: `{"o":[{"id":1,"lines":[{"id":11,"q":2},{"id":10,"q":1}]}]}`, opts: preset,
			want: []string{"o[id=1].lines[id=11].q o[].lines[].q value_changed"}, reason: "keys at every level"},
		{name: "Without takes the preset's keys back", primary: `[{"id":1},{"id":2}]`, shadow: `[{"id":2},{"id":1}]`,
			opts: []comparator.Option{comparator.PostgresDynamoDB(), comparator.Without(comparator.KeyedArrays("**", "id"))},
			want: []string{"[0].id [].id value_changed", "[1].id [].id value_changed"}, reason: "the preset's rule is an ordinary option"},
		{name: "unordered keyed array inside unordered array", primary: `{"u":[{"o":[{"id":1},{"id":2}]},{"o":[]}]}`, shadow: `{"u":[{"o":[]},{"o":[{"id":2},{"id":1}]}]}`,
			opts: []comparator.Option{comparator.UnorderedPaths("u"), comparator.KeyedArrays("u[*].o", "id")}, reason: "keyed arrays in any order hash alike, so a multiset finds them"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := comparator.JSON(tt.opts...).Compare(ok(tt.primary), ok(tt.shadow))
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			var got []string
			for _, d := range res.Diffs {
				got = append(got, d.Path+" "+d.Field+" "+string(d.Kind))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("diffs = %q, want %q (%s)", got, tt.want, tt.reason)
			}
			if res.Equal != (len(tt.want) == 0) {
				t.Errorf("Equal = %v (%s)", res.Equal, tt.reason)
			}
		})
	}
}
