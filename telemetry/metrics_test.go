package telemetry_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/telemetry"
)

func TestComparisonsCounter(t *testing.T) {
	h := newHarness(t)
	h.shadow(event("/products/{id}", telemetry.Match))
	h.shadow(event("/products/{id}", telemetry.Match))
	h.shadow(mismatch("/products/{id}", comparator.Diff{Path: "price", Kind: comparator.ValueChanged}))
	skipped := event("/orders/{id}", telemetry.Skipped)
	skipped.Reason = telemetry.ReasonBodyTooLarge
	h.shadow(skipped)
	// Dropped: the shadow never started, so only Record is called.
	h.rec.Record(context.Background(), event("/orders/{id}", telemetry.Dropped))

	m, ok := h.metrics(t)["shadowread.comparisons"]
	if !ok {
		t.Fatal("no shadowread.comparisons metric")
	}
	if m.Unit != "{comparison}" {
		t.Errorf("unit = %q, want {comparison}", m.Unit)
	}
	if sum := m.Data.(metricdata.Sum[int64]); !sum.IsMonotonic {
		t.Error("shadowread.comparisons is not monotonic; want a counter")
	}
	tests := []struct {
		name   string
		attrs  []attribute.KeyValue
		want   int64
		reason string
	}{
		{"match", at("/products/{id}", attribute.String("outcome", "match")), 2,
			"each Record counts once under its route and outcome"},
		{"mismatch", at("/products/{id}", attribute.String("outcome", "mismatch")), 1,
			"a mismatch is an outcome like any other"},
		{"skipped with reason", at("/orders/{id}", attribute.String("outcome", "skipped"), attribute.String("reason", "body_too_large")), 1,
			"skipped events carry their reason from the fixed set"},
		{"dropped without start", at("/orders/{id}", attribute.String("outcome", "dropped")), 1,
			"a dropped shadow is counted although StartShadow never ran"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := sumPoint(t, m, tt.attrs...)
			if !ok || got != tt.want {
				t.Errorf("count = %d (found %v), want %d: %s", got, ok, tt.want, tt.reason)
			}
		})
	}
}

func TestDurationHistogram(t *testing.T) {
	h := newHarness(t)
	e := event("/products/{id}", telemetry.Match) // primary 3 ms, shadow 5 ms
	h.shadow(e)
	dropped := event("/products/{id}", telemetry.Dropped)
	dropped.ShadowDuration = 0
	h.rec.Record(context.Background(), dropped)

	m, ok := h.metrics(t)["shadowread.duration"]
	if !ok {
		t.Fatal("no shadowread.duration metric")
	}
	if m.Unit != "s" {
		t.Errorf("unit = %q, want s", m.Unit)
	}
	tests := []struct {
		name      string
		backend   backends.Name
		role      backends.Role
		wantCount uint64
		wantSum   float64
		reason    string
	}{
		{"primary", backends.Postgres, backends.RolePrimary, 2, 0.006,
			"the primary's time is recorded for every sampled request, dropped ones too"},
		{"shadow", backends.DynamoDB, backends.RoleShadow, 1, 0.005,
			"the shadow's time only when it ran"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dp, ok := histPoint(t, m, at("/products/{id}",
				attribute.String("backend", string(tt.backend)),
				attribute.String("role", string(tt.role)))...)
			if !ok {
				t.Fatalf("no data point for %s/%s: %s", tt.backend, tt.role, tt.reason)
			}
			if dp.Count != tt.wantCount || fmt.Sprintf("%.6f", dp.Sum) != fmt.Sprintf("%.6f", tt.wantSum) {
				t.Errorf("count, sum = %d, %g; want %d, %g: %s", dp.Count, dp.Sum, tt.wantCount, tt.wantSum, tt.reason)
			}
			if dp.Bounds[0] != 0.0005 || dp.Bounds[len(dp.Bounds)-1] != 10 {
				t.Errorf("bounds = %v, want 0.0005 .. 10 s for database reads", dp.Bounds)
			}
		})
	}
}

// TestRouteCardinalityBounded feeds 10,000 distinct raw paths as routes, as a
// route function that returns r.URL.Path would, and checks that the route
// attribute takes at most the configured number of values plus the overflow.
func TestRouteCardinalityBounded(t *testing.T) {
	const limit = 50
	h := newHarness(t, telemetry.WithMaxRoutes(limit))
	for i := range 10_000 {
		h.shadow(mismatch(fmt.Sprintf("/products/%d", i), comparator.Diff{Path: "price", Kind: comparator.ValueChanged}))
	}
	metrics := h.metrics(t)
	for _, name := range []string{"shadowread.comparisons", "shadowread.duration"} {
		m, ok := metrics[name]
		if !ok {
			t.Fatalf("no %s metric", name)
		}
		routes := routeValues(m)
		if len(routes) != limit+1 {
			t.Errorf("%s: %d distinct routes, want %d (the limit plus %q)", name, len(routes), limit+1, backends.OverflowRoute)
		}
		if !slices.Contains(routes, backends.OverflowRoute) {
			t.Errorf("%s: routes beyond the limit are not recorded as %q", name, backends.OverflowRoute)
		}
	}
	spanNames := map[string]bool{}
	for _, s := range h.spans.Ended() {
		spanNames[s.Name()] = true
	}
	if len(spanNames) != limit+1 {
		t.Errorf("%d distinct span names, want %d", len(spanNames), limit+1)
	}
}

// routeValues lists the distinct values of the route attribute in m.
func routeValues(m metricdata.Metrics) []string {
	seen := map[string]bool{}
	add := func(s attribute.Set) {
		if v, ok := s.Value("route"); ok {
			seen[v.AsString()] = true
		}
	}
	switch d := m.Data.(type) {
	case metricdata.Sum[int64]:
		for _, dp := range d.DataPoints {
			add(dp.Attributes)
		}
	case metricdata.Histogram[float64]:
		for _, dp := range d.DataPoints {
			add(dp.Attributes)
		}
	}
	routes := make([]string, 0, len(seen))
	for r := range seen {
		routes = append(routes, r)
	}
	return routes
}

// TestInstruments checks every instrument's name, unit, kind and attribute
// keys: low-cardinality attributes only.
func TestInstruments(t *testing.T) {
	h := newHarness(t)
	e := mismatch("/products/{id}", comparator.Diff{Path: "price", Kind: comparator.ValueChanged})
	e.Recheck = telemetry.RecheckConfirmed
	h.shadow(e)
	metrics := h.metrics(t)
	tests := []struct {
		name     string
		unit     string
		wantData string
		keys     []string
		reason   string
	}{
		{"shadowread.comparisons", "{comparison}", "counter", []string{"outcome", "primary", "route", "shadow"}, "outcomes per route and direction, with the reason where one applies"},
		{"shadowread.mismatches", "{mismatch}", "counter", []string{"kind", "primary", "route", "shadow"}, "mismatches by diff kind, per direction"},
		{"shadowread.duration", "s", "histogram", []string{"backend", "primary", "role", "route", "shadow"}, "handler time per backend and role, per direction"},
		{"shadowread.compare.duration", "s", "histogram", []string{"primary", "route", "shadow"}, "the comparator's cost per direction"},
		{"shadowread.inflight", "{shadow}", "updowncounter", []string{"primary", "route", "shadow"}, "running shadows go up and down"},
		{"shadowread.rechecks", "{recheck}", "counter", []string{"primary", "result", "route", "shadow"}, "re-checks by result, per direction"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, ok := metrics[tt.name]
			if !ok {
				t.Fatalf("no %s metric: %s", tt.name, tt.reason)
			}
			if m.Unit != tt.unit {
				t.Errorf("unit = %q, want %q", m.Unit, tt.unit)
			}
			var kind string
			var sets []attribute.Set
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				kind = map[bool]string{true: "counter", false: "updowncounter"}[d.IsMonotonic]
				for _, dp := range d.DataPoints {
					sets = append(sets, dp.Attributes)
				}
			case metricdata.Histogram[float64]:
				kind = "histogram"
				for _, dp := range d.DataPoints {
					sets = append(sets, dp.Attributes)
				}
			}
			if kind != tt.wantData {
				t.Errorf("instrument is a %s (%T), want a %s", kind, m.Data, tt.wantData)
			}
			for _, s := range sets {
				var keys []string
				for _, kv := range s.ToSlice() {
					// reason is the one optional key, from a fixed set.
					if kv.Key != "reason" || tt.name != "shadowread.comparisons" {
						keys = append(keys, string(kv.Key))
					}
				}
				if !slices.Equal(keys, tt.keys) {
					t.Errorf("attribute keys = %v, want %v: %s", keys, tt.keys, tt.reason)
				}
			}
		})
	}
}

func TestMismatchesByKind(t *testing.T) {
	h := newHarness(t)
	h.shadow(mismatch("/orders/{id}",
		comparator.Diff{Path: "items[0].price", Kind: comparator.ValueChanged},
		comparator.Diff{Path: "items[1].price", Kind: comparator.ValueChanged},
		comparator.Diff{Path: "note", Kind: comparator.MissingInShadow}))
	h.shadow(mismatch("/orders/{id}", comparator.Diff{Path: "total", Kind: comparator.ValueChanged}))
	h.shadow(mismatch("/orders/{id}", comparator.Diff{Path: "x", Kind: "made_up"}))
	transient := mismatch("/orders/{id}", comparator.Diff{Path: "total", Kind: comparator.ValueChanged})
	transient.Outcome = telemetry.Transient
	h.shadow(transient)

	m := h.metrics(t)["shadowread.mismatches"]
	tests := []struct {
		kind   string
		want   int64
		reason string
	}{
		{"value_changed", 2, "a mismatch counts once per kind, however many diffs of that kind it has; transients are not mismatches"},
		{"missing_in_shadow", 1, "each kind of a mismatch counts"},
		{"other", 1, "an unknown kind cannot add a series"},
		{"made_up", 0, "raw kind values never become attributes"},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			got, _ := sumPoint(t, m, at("/orders/{id}", attribute.String("kind", tt.kind))...)
			if got != tt.want {
				t.Errorf("count = %d, want %d: %s", got, tt.want, tt.reason)
			}
		})
	}
}

func TestCompareDuration(t *testing.T) {
	h := newHarness(t)
	h.shadow(mismatch("/products/{id}", comparator.Diff{Path: "price", Kind: comparator.ValueChanged})) // 40 µs
	h.rec.Record(context.Background(), event("/products/{id}", telemetry.Dropped))                      // not compared
	dp, ok := histPoint(t, h.metrics(t)["shadowread.compare.duration"], at("/products/{id}")...)
	if !ok || dp.Count != 1 || fmt.Sprintf("%.6f", dp.Sum) != "0.000040" {
		t.Errorf("compare duration count, sum = %d, %g (found %v); want 1, 40e-6: only compared requests are timed", dp.Count, dp.Sum, ok)
	}
	if dp.Bounds[0] > 0.00001 {
		t.Errorf("first bound = %g s, want at most 10 µs for small documents", dp.Bounds[0])
	}
}

func TestInflight(t *testing.T) {
	h := newHarness(t)
	inflight := func() int64 {
		v, _ := sumPoint(t, h.metrics(t)["shadowread.inflight"], at("/products/{id}")...)
		return v
	}
	e := event("/products/{id}", telemetry.Match)
	ctx1 := h.rec.StartShadow(context.Background(), e)
	ctx2 := h.rec.StartShadow(context.Background(), e)
	if got := inflight(); got != 2 {
		t.Errorf("in flight after two starts = %d, want 2", got)
	}
	h.rec.Record(ctx1, e)
	h.rec.Record(ctx1, e) // a second Record of the same shadow must not count down twice
	if got := inflight(); got != 1 {
		t.Errorf("in flight after one shadow ended = %d, want 1", got)
	}
	h.rec.Record(context.Background(), event("/products/{id}", telemetry.Dropped))
	h.rec.Record(ctx2, e)
	if got := inflight(); got != 0 {
		t.Errorf("in flight after all ended = %d, want 0: dropped events never started", got)
	}
}
