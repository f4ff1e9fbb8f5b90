package comparator_test

import (
	"slices"
	"testing"

	"github.com/shadowread/shadowread/comparator"
)

func TestDiffField(t *testing.T) {
	tests := []struct {
		name            string
		primary, shadow comparator.Response
		opts            []comparator.Option
		want            []string // "path field" of each diff
		reason          string
	}{
		{name: "value changed", primary: ok(`{"orders":[{"s":1},{"s":1}]}`), shadow: ok(`{"orders":[{"s":1},{"s":2}]}`),
			want: []string{"orders[1].s orders[].s"}, reason: "element positions are removed"},
		{name: "missing and extra", primary: ok(`{"a":[[1,2]],"b":1}`), shadow: ok(`{"a":[[1]],"c":1}`),
			want: []string{"a[0][1] a[][]", "b b", "c c"}, reason: "every kind, at any depth"},
		{name: "type changed", primary: ok(`[{"id":1}]`), shadow: ok(`[{"id":"1"}]`),
			want: []string{"[0].id [].id"}, reason: "a top-level array"},
		{name: "root", primary: ok(`1`), shadow: ok(`2`), want: []string{"$ $"}, reason: "the root has no steps"},
		{name: "quoted names", primary: ok(`{"a.b":[{"[1]":1}]}`), shadow: ok(`{"a.b":[{"[1]":2}]}`), opts: []comparator.Option{comparator.ShowKeys("**")},
			want: []string{`["a.b"][0]["[1]"] ["a.b"][]["[1]"]`}, reason: "brackets inside quoted names are names"},
		{name: "unordered", primary: ok(`{"t":["a"]}`), shadow: ok(`{"t":["b","a"]}`), opts: []comparator.Option{comparator.UnorderedPaths("t")},
			want: []string{"t[1] t[]"}, reason: "unordered arrays too"},
		{name: "keyed", primary: ok(`{"o":[{"id":1,"s":1}]}`), shadow: ok(`{"o":[{"id":1,"s":2}]}`), opts: []comparator.Option{comparator.KeyedArrays("o", "id")},
			want: []string{"o[id=1].s o[].s"}, reason: "keys are element steps"},
		{name: "status", primary: ok(`{}`), shadow: withStatus(404, `{}`), want: []string{"$status $status"}, reason: "the status is one field"},
		{name: "header", primary: withHeaders(ok(`{}`), "X-A", "1"), shadow: withHeaders(ok(`{}`), "X-A", "2"), opts: []comparator.Option{comparator.CompareHeaders("X-A")},
			want: []string{"$header.X-A $header.X-A"}, reason: "a header is a field"},
		{name: "bytes", primary: ok(`a`), shadow: ok(`b`), want: []string{"$body $body"}, reason: "a body compared as bytes"},
		{name: "go-cmp options", primary: ok(`{"a":[1,2]}`), shadow: ok(`{"a":[1,3]}`), opts: []comparator.Option{comparator.WithCmpOptions()},
			want: []string{"a[1] a[]"}, reason: "whole values given to go-cmp still have fields"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := comparator.JSON(tt.opts...).Compare(tt.primary, tt.shadow)
			var got []string
			for _, d := range res.Diffs {
				got = append(got, d.Path+" "+d.Field)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("path and field = %q, want %q (%s)", got, tt.want, tt.reason)
			}
		})
	}
}

// TestSignatureGroupsByField checks that one data problem is one signature
// whatever element it is in, for every way arrays are matched.
func TestSignatureGroupsByField(t *testing.T) {
	tests := []struct {
		name   string
		a, b   [2]string // two pairs with the same problem in other elements
		opts   []comparator.Option
		reason string
	}{
		{"by position", [2]string{`[{"s":1},{"s":1}]`, `[{"s":1},{"s":2}]`}, [2]string{`[{"s":1},{"s":1}]`, `[{"s":2},{"s":1}]`}, nil,
			"the changed element's position"},
		{"unordered extra", [2]string{`{"t":["a"]}`, `{"t":["a","b"]}`}, [2]string{`{"t":["a","c"]}`, `{"t":["a","d","c"]}`}, []comparator.Option{comparator.UnorderedPaths("t")},
			"where an extra element lands"},
		{"by key", [2]string{`[{"id":1},{"id":2}]`, `[{"id":2}]`}, [2]string{`[{"id":1},{"id":2}]`, `[{"id":1}]`}, []comparator.Option{comparator.PostgresDynamoDB()},
			"which entity is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := comparator.JSON(tt.opts...)
			a, b := c.Compare(ok(tt.a[0]), ok(tt.a[1])), c.Compare(ok(tt.b[0]), ok(tt.b[1]))
			if a.Signature() == "" || a.Signature() != b.Signature() {
				t.Errorf("signatures %q (%v) and %q (%v) differ (%s)", a.Signature(), a.Diffs, b.Signature(), b.Diffs, tt.reason)
			}
		})
	}
}
