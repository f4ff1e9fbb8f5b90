package comparator_test

import (
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
		{"nil Normalize", func() { comparator.Normalize("a", nil) }, "pass a function", "a nil function would fail at every comparison"},
		{"negative tolerance", func() { comparator.FloatTolerance(-1, 0) }, "not negative", "a negative tolerance makes nothing equal"},
		{"NaN tolerance", func() { comparator.FloatTolerance(0, nanValue()) }, "finite", "NaN compares false with everything"},
		{"negative precision", func() { comparator.TimePrecision(-1) }, "not be negative", "a negative precision makes no sense"},
		{"zero MaxDiffs", func() { comparator.MaxDiffs(0) }, "at least one", "a mismatch must show at least one difference"},
		{"Date header", func() { comparator.CompareHeaders("date") }, "never compared", "Date differs on every response"},
		{"empty header", func() { comparator.IgnoreHeaders("") }, "empty header name", "no such header"},
		{"nil option", func() { comparator.JSON(nil) }, "nil Option", "a nil option is a mistake"},
		{"nil in Options", func() { comparator.JSON(comparator.Options{comparator.ShowValues(), nil}) }, "nil Option", "also inside a list"},
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

func nanValue() float64 {
	zero := 0.0
	return zero / zero
}
