package comparator

import (
	"reflect"
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/shadowread/shadowread/comparator/internal/jsontree"
)

// FuzzCompare compares arbitrary byte pairs with comparators of different
// options and checks what must hold for any input: no error (so no panic
// was recovered), Equal exactly when no differences are listed, the limit
// kept, reflexivity, symmetry where the options promise it, the fast
// equality walk agreeing with the explanation pass. (jsontree's FuzzDecode
// checks the decoder against encoding/json.) Its seeds are in
// testdata/fuzz/FuzzCompare.
func FuzzCompare(f *testing.F) {
	identity := func(v any) any { return v }
	options := [][]Option{
		nil,
		{PostgresDynamoDB(), NumericStrings(), UnorderedPaths("**"), IgnorePaths("**.id"), MaxDiffs(3)},
		{ShowValues(), TimePrecision(0), Normalize("**", identity), UnorderedPaths("[*]")},
		{KeyedArrays("[*]", "a"), KeyedArrays("**", "b"), MapPaths("*"), ShowKeys("**.c")},
		{PostgresDynamoDB(), ShowValues()},
		{IgnorePaths("a", "[*].b"), NullEqualsMissing(), EmptyEqualsMissing(), NumericStrings()},
	}
	var comparators, unscanned []*jsonComparator
	for _, opts := range options {
		comparators = append(comparators, JSON(opts...).(*jsonComparator))
		full := JSON(opts...).(*jsonComparator)
		full.noScan = true
		unscanned = append(unscanned, full)
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		primary, shadow := Response{Status: 200, Body: a}, Response{Status: 200, Body: b}
		for i, c := range comparators {
			res := c.Compare(primary, shadow)
			if res.Err != nil {
				t.Fatalf("comparator %d: %v", i, res.Err)
			}
			if res.Equal != (len(res.Diffs) == 0) {
				t.Fatalf("comparator %d: Equal = %v with %d diffs", i, res.Equal, len(res.Diffs))
			}
			if len(res.Diffs) > c.maxDiffs || res.Truncated && len(res.Diffs) != c.maxDiffs {
				t.Fatalf("comparator %d: %d diffs, truncated %v, limit %d", i, len(res.Diffs), res.Truncated, c.maxDiffs)
			}
			for _, d := range res.Diffs {
				if d.Path == "" || d.Field == "" || d.Kind == "" || d.Hint.Triage == "" || !utf8.ValidString(d.Path) || fieldOfPath(d.Path) != d.Field {
					t.Fatalf("comparator %d: malformed diff %+v", i, d)
				}
			}
			// A document equals itself re-spaced; anything else must differ.
			respaced := Response{Status: 200, Body: append(slices.Clone(a), ' ')}
			if _, fb := decode(a); c.Compare(primary, respaced).Equal != (fb == "") {
				t.Fatalf("comparator %d: %q against itself with a space: equal %v, decode fallback %q", i, a, fb != "", fb)
			}
			checkWalkersAgree(t, c, a, b)
			// Reading the shadow against the primary's tree changes no
			// verdict.
			if full := unscanned[i].Compare(primary, shadow); !reflect.DeepEqual(res, full) {
				t.Fatalf("comparator %d: %q, %q: scanned %+v, full %+v", i, a, b, res, full)
			}
		}
		// Without tolerances and unordered arrays, equality is symmetric.
		c := comparators[0]
		if c.Compare(primary, shadow).Equal != c.Compare(shadow, primary).Equal {
			t.Fatalf("asymmetric: %q, %q", a, b)
		}
	})
}

// decode decodes body into a tree of its own, as Compare does.
func decode(body []byte) (*jsontree.Tree, Fallback) {
	return new(buffers).decode(body, jsontree.EstimateNodes(body), jsontree.Options{MaxDepth: MaxDepth})
}

// checkWalkersAgree checks that the fast equality walk and the pass that
// prepares the explanation reach the same verdict.
func checkWalkersAgree(t *testing.T, c *jsonComparator, a, b []byte) {
	x, fx := decode(a)
	y, fy := decode(b)
	if fx != "" || fy != "" {
		return
	}
	if err := c.normalize(x); err != nil {
		t.Fatal(err)
	}
	if err := c.normalize(y); err != nil {
		t.Fatal(err)
	}
	p := docPair{c: c, x: x, y: y}
	fast := p.equal(x.Root(), y.Root())
	if _, _, explained := p.pair(x.Root(), y.Root(), true); fast != explained {
		t.Fatalf("equal = %v but pair = %v for %q, %q", fast, explained, a, b)
	}
}
