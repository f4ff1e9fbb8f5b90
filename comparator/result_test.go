package comparator_test

import (
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/shadowread/shadowread/comparator"
)

func diffs(pathKinds ...string) comparator.Result {
	var r comparator.Result
	for i := 0; i < len(pathKinds); i += 2 {
		r.Diffs = append(r.Diffs, comparator.Diff{Path: pathKinds[i], Kind: comparator.Kind(pathKinds[i+1]), Primary: fmt.Sprint(i)})
	}
	return r
}

func TestSignature(t *testing.T) {
	tests := []struct {
		name   string
		a, b   comparator.Result
		same   bool
		reason string
	}{
		{"other indexes", diffs("items[3].price", "value_changed"), diffs("items[7].price", "value_changed"), true,
			"the same difference in another element is the same mismatch"},
		{"other order", diffs("a", "value_changed", "b", "missing_in_shadow"), diffs("b", "missing_in_shadow", "a", "value_changed"), true,
			"the set of differences counts, not their order"},
		{"repeats", diffs("items[0].p", "value_changed", "items[1].p", "value_changed"), diffs("items[5].p", "value_changed"), true,
			"a difference in many elements is one pair once collapsed"},
		{"other values", diffs("a", "value_changed"), diffs("a", "value_changed", "a", "value_changed"), true,
			"values are not part of the signature"},
		{"key against index", diffs("items[id=3].price", "value_changed"), diffs("items[4].price", "value_changed"), true,
			"an element found by key is an element like any other"},
		{"other kind", diffs("a", "value_changed"), diffs("a", "type_changed"), false,
			"a type change is another mismatch than a value change"},
		{"other path", diffs("a", "value_changed"), diffs("b", "value_changed"), false,
			"another place is another mismatch"},
		{"quoted index-like name", diffs(`["[1]"]`, "value_changed"), diffs(`["[2]"]`, "value_changed"), false,
			"brackets inside a quoted name are part of the name"},
		{"more differences", diffs("a", "value_changed"), diffs("a", "value_changed", "b", "value_changed"), false,
			"an extra difference makes another mismatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sa, sb := tt.a.Signature(), tt.b.Signature()
			if len(sa) != 16 || len(sb) != 16 {
				t.Fatalf("signatures %q, %q: want 16 hex digits", sa, sb)
			}
			if (sa == sb) != tt.same {
				t.Errorf("signatures %q and %q: same = %v, want %v (%s)", sa, sb, sa == sb, tt.same, tt.reason)
			}
		})
	}
}

func TestSignatureIsStable(t *testing.T) {
	// Dashboards count mismatches by signature across processes and
	// releases: this value must never change. It is the first 8 bytes of
	// SHA-256("$status\x00status_changed\nitems[*].price\x00value_changed"),
	// computed independently of the package.
	const want = "6cd246f700fce377"
	got := diffs("items[3].price", "value_changed", "$status", "status_changed").Signature()
	if got != want {
		t.Errorf("Signature() = %q, want %q: the signature of a set of differences must not change", got, want)
	}
	// A Diff with its Field counts as one with the same Path and no Field.
	withField := comparator.Result{Diffs: []comparator.Diff{
		{Path: "items[id=7].price", Field: "items[].price", Kind: comparator.ValueChanged},
		{Path: "$status", Field: "$status", Kind: comparator.StatusChanged},
	}}
	if got := withField.Signature(); got != want {
		t.Errorf("Signature() with fields = %q, want %q as from paths alone", got, want)
	}
	if got := (comparator.Result{Equal: true}).Signature(); got != "" {
		t.Errorf("Signature() of a match = %q, want empty", got)
	}
}

func TestDiffString(t *testing.T) {
	tests := []struct {
		name   string
		diff   comparator.Diff
		want   string
		reason string
	}{
		{"changed", comparator.Diff{Path: "a", Kind: comparator.ValueChanged, Primary: "1", Shadow: "2"}, "a: value_changed: 1 -> 2", "both sides"},
		{"missing", comparator.Diff{Path: "a", Kind: comparator.MissingInShadow, Primary: "1"}, "a: missing_in_shadow: 1", "the primary's side only"},
		{"extra", comparator.Diff{Path: "a", Kind: comparator.ExtraInShadow, Shadow: "2"}, "a: extra_in_shadow: 2", "the shadow's side only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.diff.String(); got != tt.want {
				t.Errorf("String() = %q, want %q (%s)", got, tt.want, tt.reason)
			}
		})
	}
}

func TestCompareConcurrently(t *testing.T) {
	c := comparator.JSON(comparator.PostgresDynamoDB(), comparator.UnorderedPaths("items[*].tags"), comparator.IgnorePaths("**.etag"))
	cases := compareCases()
	want := make([]comparator.Result, len(cases))
	for i, tt := range cases {
		want[i] = c.Compare(tt.primary, tt.shadow)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for range 8 {
		wg.Go(func() {
			for i, tt := range cases {
				if got := c.Compare(tt.primary, tt.shadow); !reflect.DeepEqual(got, want[i]) {
					errs <- fmt.Sprintf("%s: concurrent result %+v, sequential %+v", tt.name, got, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestCompareDoesNotModifyArguments(t *testing.T) {
	c := comparator.JSON(comparator.PostgresDynamoDB(), comparator.UnorderedPaths("tags"),
		comparator.Normalize("name", func(v any) any { return "x" }))
	p := ok(`{"tags":["b","a"],"name":"a","n":null,"e":[]}`)
	s := ok(`{"tags":["a","c"],"name":"b"}`)
	pb, sb := string(p.Body), string(s.Body)
	c.Compare(p, s)
	if string(p.Body) != pb || string(s.Body) != sb {
		t.Errorf("Compare modified its arguments: %q, %q", p.Body, s.Body)
	}
}

// TestResultOutlivesBodies checks that a result holds no part of the
// bodies, which are read in place and belong to the caller: the caller may
// reuse their buffers once Compare returns.
func TestResultOutlivesBodies(t *testing.T) {
	c := comparator.JSON(comparator.ShowValues(), comparator.ShowKeys("**"), comparator.PostgresDynamoDB(), comparator.CompareHeaders())
	p := withHeaders(ok(`{"lines":[{"id":"A-1","name":"hedge"},{"id":"B-2"}],"note":"caf\u00e9","key_x":{"k":1}}`), "X-A", "1")
	s := withHeaders(ok(`{"lines":[{"id":"A-1","name":"hedges"}],"note":"tea","key_y":{"k":1}}`), "X-A", "2")
	res := c.Compare(p, s)
	before := fmt.Sprintf("%+v %s", res, res.Signature())
	if res.Equal || len(res.Diffs) < 4 {
		t.Fatalf("diffs %v: want several to check", res.Diffs)
	}
	for _, body := range [][]byte{p.Body, s.Body} {
		for i := range body {
			body[i] = '#'
		}
	}
	if after := fmt.Sprintf("%+v %s", res, res.Signature()); after != before {
		t.Errorf("the result changed with the bodies:\nbefore %s\nafter  %s", before, after)
	}
}

// TestStatusSignatures: a status change is another mismatch in each
// direction, and a status pair is the only value a signature holds.
func TestStatusSignatures(t *testing.T) {
	c := comparator.JSON(comparator.PostgresDynamoDB())
	sig := func(primary, shadow int) string {
		return c.Compare(comparator.Response{Status: primary}, comparator.Response{Status: shadow}).Signature()
	}
	tests := []struct {
		name   string
		a, b   string
		same   bool
		reason string
	}{
		{"both directions", sig(200, 404), sig(404, 200), false, "a resource missing in the shadow is not one missing in the primary"},
		{"another pair", sig(200, 404), sig(200, 410), false, "the pair is part of the signature"},
		{"the same pair", sig(200, 404), sig(200, 404), true, "the same change, the same mismatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if (tt.a == tt.b) != tt.same {
				t.Errorf("signatures %q and %q: same = %v, want %v (%s)", tt.a, tt.b, tt.a == tt.b, tt.same, tt.reason)
			}
		})
	}
	// SHA-256("$status\x00status_changed\x00200->404"), computed
	// independently of the package: it must never change.
	if got, want := sig(200, 404), "2eede8f10d00ac87"; got != want {
		t.Errorf("signature of 200 -> 404 = %q, want %q", got, want)
	}
	res := c.Compare(comparator.Response{Status: 200}, comparator.Response{Status: 404})
	if d := res.Diffs[0]; d.Field != "$status" || d.Path != "$status" {
		t.Errorf("status diff %+v: want Path and Field $status", d)
	}
}

func TestDiffFieldName(t *testing.T) {
	tests := []struct {
		name   string
		diff   comparator.Diff
		want   string
		reason string
	}{
		{"field", comparator.Diff{Path: "orders[3].status", Field: "orders[].status"}, "orders[].status", "the comparators set Field: it is the name"},
		{"by hand", comparator.Diff{Path: "price"}, "price", "a Diff built without Field is named by its path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.diff.FieldName(); got != tt.want {
				t.Errorf("FieldName() = %q, want %q: %s", got, tt.want, tt.reason)
			}
		})
	}
}
