package comparator_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/shadowread/shadowread/comparator"
)

func TestOptionsPanicAtConstruction(t *testing.T) {
	tests := []struct {
		name   string
		build  func()
		want   string // in the panic message
		reason string
	}{
		{"bad path", func() { comparator.IgnorePaths("items[0].id") }, "write [*]", "indexes are not part of the syntax; the message gives the fix"},
		{"empty path", func() { comparator.UnorderedPaths("") }, "empty path", "nothing to match"},
		{"bad Normalize path", func() { comparator.Normalize("a..b", func(v any) any { return v }) }, "Normalize", "paths are checked for every option"},
		{"negative tolerance", func() { comparator.FloatTolerance(-1, 0) }, "not negative", "a negative tolerance makes nothing equal"},
		{"NaN tolerance", func() { comparator.FloatTolerance(0, nanValue()) }, "finite", "NaN compares false with everything"},
		{"empty KeyedArrays key", func() { comparator.KeyedArrays("orders", "") }, `such as "id"`, "an array cannot be matched by nothing"},
		{"quoted KeyedArrays key", func() { comparator.KeyedArrays("orders", "order id") }, "must be letters", "the key is written into paths unquoted"},
		{"bad KeyedArrays path", func() { comparator.KeyedArrays("orders[0]", "id") }, "KeyedArrays", "paths are checked for every option"},
		{"bad MapPaths path", func() { comparator.MapPaths("a..b") }, "MapPaths", "paths are checked for every option"},
		{"bad ShowKeys path", func() { comparator.ShowKeys("") }, "ShowKeys", "paths are checked for every option"},
		{"negative precision", func() { comparator.TimePrecision(-1) }, "not be negative", "a negative precision makes no sense"},
		{"zero MaxDiffs", func() { comparator.MaxDiffs(0) }, "at least one", "a mismatch must show at least one difference"},
		{"Date header", func() { comparator.CompareHeaders("date") }, "never compared", "Date differs on every response"},
		{"empty header", func() { comparator.IgnoreHeaders("") }, "empty header name", "no such header"},
		{"Without Normalize", func() {
			comparator.JSON(comparator.Without(comparator.Normalize("a", func(v any) any { return v })))
		}, "not supported", "a function cannot be recognised to be taken back"},
		{"Without WithCmpOptions", func() { comparator.JSON(comparator.Without(comparator.WithCmpOptions())) }, "not supported", "neither can go-cmp options"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				msg, _ := recover().(string)
				if !strings.HasPrefix(msg, "comparator: ") || !strings.Contains(msg, tt.want) {
					t.Errorf("panic = %q, want a comparator: panic containing %q (%s)", msg, tt.want, tt.reason)
				}
			}()
			tt.build()
		})
	}
}

// TestNilMeansDefault checks the package's rule for nil: a nil Option is
// ignored and a nil argument means the default, wherever options are taken.
func TestNilMeansDefault(t *testing.T) {
	primary, shadow := ok(`{"a":1,"b":[1,2]}`), ok(`{"a":2,"b":[1,2]}`)
	want := comparator.JSON().Compare(primary, shadow)
	tests := []struct {
		name   string
		opts   []comparator.Option
		reason string
	}{
		{"nil option", []comparator.Option{nil}, "a nil Option is ignored, not a panic"},
		{"nil in Options", []comparator.Option{comparator.Options{nil, comparator.Options(nil)}}, "also inside a list, and a nil list is no option"},
		{"nil in Without", []comparator.Option{comparator.Without(nil)}, "Without of nothing takes nothing back"},
		{"nil Normalize function", []comparator.Option{comparator.Normalize("a", nil)}, "no function leaves the values as they are"},
		{"nil go-cmp option", []comparator.Option{comparator.WithCmpOptions(nil)}, "go-cmp is given no nil option"},
		{"no paths", []comparator.Option{comparator.IgnorePaths(), comparator.MapPaths(), comparator.ShowKeys(), comparator.UnorderedPaths()}, "no paths name nothing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := comparator.JSON(tt.opts...).Compare(primary, shadow)
			if got.Err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("Compare = %+v, want %+v as without the options (%s)", got, want, tt.reason)
			}
		})
	}
}

func nanValue() float64 {
	zero := 0.0
	return zero / zero
}
