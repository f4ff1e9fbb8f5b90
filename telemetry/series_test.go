package telemetry_test

import (
	"context"
	"fmt"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/telemetry"
)

// series lists the data points of a counter as route|primary|shadow|rest -> value.
func series(t *testing.T, m metricdata.Metrics) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	sum, ok := m.Data.(metricdata.Sum[int64])
	if !ok {
		t.Fatalf("%s: data is %T", m.Name, m.Data)
	}
	for _, dp := range sum.DataPoints {
		out[dp.Attributes.Encoded(attribute.DefaultEncoder())] = dp.Value
	}
	return out
}

// TestSeriesStartAtZero: Prometheus ignores the first sample of a series in
// rate() and increase(), so every outcome series of a route must exist at 0
// before its first event: from WithRoutes for both directions at once, and
// for the other outcomes of a direction when it is first seen.
func TestSeriesStartAtZero(t *testing.T) {
	h := newHarness(t, telemetry.WithRoutes("/products/{id}"))
	before := h.metrics(t)
	comparisons := series(t, before["shadowread.comparisons"])

	// One match on a route nobody declared.
	h.shadow(event("/orders/{id}", telemetry.Match))
	after := h.metrics(t)

	tests := []struct {
		name   string
		metric metricdata.Metrics
		attrs  []attribute.KeyValue
		want   int64
		reason string
	}{
		{"declared, first mismatch", before["shadowread.comparisons"], at("/products/{id}", attribute.String("outcome", "mismatch")), 0,
			"a declared route has its mismatch series before any event"},
		{"declared, after the switch", before["shadowread.comparisons"], []attribute.KeyValue{attribute.String("route", "/products/{id}"),
			attribute.String("primary", "dynamodb"), attribute.String("shadow", "postgres"), attribute.String("outcome", "match")}, 0,
			"both directions are declared, so the first event after a switch counts too"},
		{"declared, skipped with reason", before["shadowread.comparisons"], at("/products/{id}", attribute.String("outcome", "skipped"),
			attribute.String("reason", "body_too_large")), 0, "outcomes with reasons exist with each fixed reason"},
		{"declared, mismatch kind", before["shadowread.mismatches"], at("/products/{id}", attribute.String("kind", "value_changed")), 0,
			"mismatches by kind start at zero"},
		{"declared, recheck", before["shadowread.rechecks"], at("/products/{id}", attribute.String("result", "transient")), 0,
			"re-checks by result start at zero"},
		{"declared, recheck repaired", before["shadowread.rechecks"], at("/products/{id}", attribute.String("result", "repaired")), 0,
			"a real difference a later write repaired is a result of its own"},
		{"declared, transient with reason", before["shadowread.comparisons"], at("/products/{id}", attribute.String("outcome", "transient"),
			attribute.String("reason", "write_raced")), 0, "transients come with the reason the re-check gave, so the fleet's coverage sees the first"},
		{"seen, first match", after["shadowread.comparisons"], at("/orders/{id}", attribute.String("outcome", "match")), 1,
			"the event itself"},
		{"seen, later mismatch", after["shadowread.comparisons"], at("/orders/{id}", attribute.String("outcome", "mismatch")), 0,
			"a route's first mismatch after a match is counted by increase()"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := sumPoint(t, tt.metric, tt.attrs...)
			if !ok || got != tt.want {
				t.Errorf("value %d (exists %v), want %d: %s", got, ok, tt.want, tt.reason)
			}
		})
	}
	// Bounded: the same fixed set per route and direction.
	if n := len(comparisons); n != 2*23 {
		t.Errorf("%d comparison series for one declared route, want 46 (23 per direction)", n)
	}
}

// TestSeriesBounded: with raw paths as routes the number of series stays
// within (routes+1) x directions x series per direction.
func TestSeriesBounded(t *testing.T) {
	const routes = 5
	h := newHarness(t, telemetry.WithMaxRoutes(routes))
	for i := range 500 {
		e := mismatch(fmt.Sprintf("/products/%d", i), comparator.Diff{Path: fmt.Sprintf("k%d", i), Kind: comparator.Kind(fmt.Sprint(i))})
		e.Primary = backends.Name(fmt.Sprintf("store%d", i)) // outside the known names: "other"
		e.Reason = telemetry.Reason(fmt.Sprint(i))
		e.Recheck = telemetry.RecheckResult(fmt.Sprint(i))
		h.rec.Record(context.Background(), e)
	}
	m := h.metrics(t)
	for _, tt := range []struct {
		name string
		max  int
	}{
		{"shadowread.comparisons", (routes + 1) * (23 + 1)}, // the fixed series and one "other" reason per outcome seen
		{"shadowread.mismatches", (routes + 1) * 6},
		{"shadowread.rechecks", (routes + 1) * 7},
	} {
		if n := len(series(t, m[tt.name])); n > tt.max {
			t.Errorf("%s has %d series, want at most %d", tt.name, n, tt.max)
		}
	}
}
