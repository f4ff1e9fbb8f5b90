package telemetry_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"go.opentelemetry.io/otel/trace"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/telemetry"
	"github.com/shadowread/shadowread/telemetry/report"
)

func TestExemplars(t *testing.T) {
	h := newHarness(t)
	price := func(i int) comparator.Diff {
		return comparator.Diff{Path: fmt.Sprintf("items[%d].price", i), Kind: comparator.ValueChanged}
	}
	var traceIDs []string
	for i := range 7 {
		e := mismatch("/orders/{id}", price(i))
		ctx := h.rec.StartShadow(context.Background(), e)
		traceIDs = append(traceIDs, trace.SpanFromContext(ctx).SpanContext().TraceID().String())
		h.rec.Record(ctx, e)
	}
	h.shadow(mismatch("/orders/{id}", comparator.Diff{Path: "note", Kind: comparator.MissingInShadow}))

	route := routeReport(t, h.rec.Report(), "/orders/{id}")
	if len(route.Signatures) != 2 {
		t.Fatalf("%d signatures, want 2: array indexes collapse into one signature", len(route.Signatures))
	}
	top := route.Signatures[0]
	want := (comparator.Result{Diffs: []comparator.Diff{price(0)}}).Signature()
	if top.Signature != want || top.Count != 7 {
		t.Errorf("top signature %s x%d, want %s x7", top.Signature, top.Count, want)
	}
	if len(top.Diffs) != 1 || top.Diffs[0].Path != "items[0].price" || top.Diffs[0].Kind != comparator.ValueChanged {
		t.Errorf("diffs = %+v, want the first occurrence's items[0].price", top.Diffs)
	}
	latest := slices.Clone(traceIDs[2:])
	slices.Reverse(latest)
	if !slices.Equal(top.TraceIDs, latest) {
		t.Errorf("trace ids = %v, want the last five shadow traces, newest first: %v", top.TraceIDs, latest)
	}
	if route.Signatures[1].Count != 1 {
		t.Errorf("second signature count = %d, want 1", route.Signatures[1].Count)
	}
}

func TestExemplarEviction(t *testing.T) {
	h := newHarness(t, telemetry.WithMaxSignatures(3))
	record := func(path string, n int) {
		for range n {
			h.shadow(mismatch("/orders/{id}", comparator.Diff{Path: path, Kind: comparator.ValueChanged}))
		}
	}
	record("a", 5)
	record("b", 4)
	record("c", 3)
	for i := range 10 {
		record(fmt.Sprintf("new%d", i), 1)
	}
	route := routeReport(t, h.rec.Report(), "/orders/{id}")
	var paths []string
	for _, s := range route.Signatures {
		paths = append(paths, s.Diffs[0].Path)
	}
	tests := []struct {
		name   string
		got    any
		want   any
		reason string
	}{
		{"kept", paths, []string{"a", "b", "new9"}, "the frequent signatures stay, the newest rare one holds the last slot"},
		{"evicted signatures", route.EvictedSignatures, uint64(10), "c, then new0..new8"},
		{"evicted mismatches", route.EvictedMismatches, uint64(12), "c had 3, each new one 1"},
		{"mismatches", route.Mismatches, uint64(22), "readiness counts every mismatch, evicted or not"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if fmt.Sprint(tt.got) != fmt.Sprint(tt.want) {
				t.Errorf("got %v, want %v: %s", tt.got, tt.want, tt.reason)
			}
		})
	}
}

// TestMemoryBounded sends 10,000 requests with distinct raw paths as routes
// and distinct diff paths: the report stays within routes x signatures.
func TestMemoryBounded(t *testing.T) {
	const routes, signatures = 20, 4
	h := newHarness(t, telemetry.WithMaxRoutes(routes), telemetry.WithMaxSignatures(signatures))
	for i := range 10_000 {
		h.shadow(mismatch(fmt.Sprintf("/products/%d", i), comparator.Diff{Path: fmt.Sprintf("attrs.k%d", i), Kind: comparator.ValueChanged}))
	}
	rep := h.rec.Report()
	if len(rep.Routes) != routes+1 {
		t.Errorf("%d routes in the report, want %d", len(rep.Routes), routes+1)
	}
	var total uint64
	for _, r := range rep.Routes {
		if len(r.Signatures) > signatures {
			t.Errorf("route %s keeps %d signatures, want at most %d", r.Route, len(r.Signatures), signatures)
		}
		total += r.Samples
	}
	if total != 10_000 {
		t.Errorf("samples across routes = %d, want all 10000 counted", total)
	}
	other := routeReport(t, rep, backends.OverflowRoute)
	if other.EvictedSignatures != 10_000-routes-signatures {
		t.Errorf("overflow route evicted %d signatures, want %d", other.EvictedSignatures, 10_000-routes-signatures)
	}
}

func routeReport(t *testing.T, rep report.Report, route string) report.RouteReport {
	t.Helper()
	for _, r := range rep.Routes {
		if r.Route == route {
			return r
		}
	}
	t.Fatalf("route %q not in the report", route)
	return report.RouteReport{}
}
