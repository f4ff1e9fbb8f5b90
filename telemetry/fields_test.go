package telemetry_test

import (
	"fmt"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/telemetry"
)

// TestMismatchFields: shadowread.mismatch_fields counts a mismatch once per
// index-free field, and a route and direction has at most MaxMismatchFields
// field series plus "other".
func TestMismatchFields(t *testing.T) {
	h := newHarness(t)
	const route = "/orders/{id}"
	diff := func(path, field string) comparator.Diff {
		return comparator.Diff{Path: path, Field: field, Kind: comparator.ValueChanged}
	}
	// One mismatch with two elements of one field and a second field.
	h.shadow(mismatch(route, diff("items[0].price", "items[].price"), diff("items[1].price", "items[].price"), diff("status", "status")))
	// More distinct fields than the bound, each in a mismatch of its own.
	for i := range telemetry.MaxMismatchFields + 5 {
		f := fmt.Sprintf("f%d", i)
		h.shadow(mismatch(route, diff(f, f)))
	}
	h.shadow(mismatch(route, diff("status", "status"))) // a field with a series keeps it

	m, ok := h.metrics(t)["shadowread.mismatch_fields"]
	if !ok {
		t.Fatal("no shadowread.mismatch_fields")
	}
	points := m.Data.(metricdata.Sum[int64]).DataPoints
	base := []attribute.KeyValue{attribute.String("route", route), attribute.String("primary", "postgres"), attribute.String("shadow", "dynamodb")}
	value := func(field string) int64 {
		v, _ := sumPoint(t, m, append(base[:3:3], attribute.String("field", field))...)
		return v
	}
	tests := []struct {
		field  string
		want   int64
		reason string
	}{
		{"items[].price", 1, "two elements of one field in one mismatch count once"},
		{"status", 2, "a field keeps its series after the bound is reached"},
		{"f0", 1, "the first fields seen get series of their own"},
		{fmt.Sprintf("f%d", telemetry.MaxMismatchFields-3), 1, "the last field within the bound (2 were taken before the loop)"},
		{fmt.Sprintf("f%d", telemetry.MaxMismatchFields-2), 0, "the first field beyond the bound has no series"},
		{"other", 7, "every field beyond the bound is counted as other"},
	}
	for _, tt := range tests {
		if got := value(tt.field); got != tt.want {
			t.Errorf("field %q = %d, want %d (%s)", tt.field, got, tt.want, tt.reason)
		}
	}
	if n := len(points); n != telemetry.MaxMismatchFields+1 {
		t.Errorf("%d series, want MaxMismatchFields (%d) plus other", n, telemetry.MaxMismatchFields)
	}
}
