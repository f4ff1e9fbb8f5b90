package telemetry_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/telemetry"
	"github.com/shadowread/shadowread/telemetry/report"
)

// switched returns e after the route's switch: DynamoDB serves, PostgreSQL
// is the shadow.
func switched(e telemetry.Event) telemetry.Event {
	e.Primary, e.Shadow = backends.DynamoDB, backends.Postgres
	return e
}

// TestDirectionsKeptApart records a route before and after a partial switch
// of its primary: readiness, latency, signatures and metrics stay per
// direction.
func TestDirectionsKeptApart(t *testing.T) {
	h := newHarness(t, telemetry.WithMinSamples(10), telemetry.WithReadyThreshold(0.5))
	const route = "/products/{id}"
	for range 20 {
		h.shadow(event(route, telemetry.Match))
	}
	for range 3 {
		e := switched(mismatch(route, comparator.Diff{Path: "price", Kind: comparator.ValueChanged}))
		e.PrimaryDuration = 40 * e.PrimaryDuration
		h.shadow(e)
	}
	h.shadow(switched(event(route, telemetry.Match)))

	got := h.rec.Readiness()
	if len(got) != 2 {
		t.Fatalf("Readiness() has %d entries, want one per direction (2): %+v", len(got), got)
	}
	tests := []struct {
		name                string
		rr                  report.RouteReadiness
		primary, shadow     backends.Name
		samples, mismatches uint64
		ready               bool
		reason              string
	}{
		{"before the switch", got[0], backends.Postgres, backends.DynamoDB, 20, 0, true,
			"postgres→dynamodb comes first and keeps its clean record"},
		{"after the switch", got[1], backends.DynamoDB, backends.Postgres, 4, 3, false,
			"the mismatches after the switch are not mixed into the earlier direction"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rr := tt.rr
			if rr.Route != route || rr.Primary != tt.primary || rr.Shadow != tt.shadow ||
				rr.Samples != tt.samples || rr.Mismatches != tt.mismatches || rr.Ready != tt.ready {
				t.Errorf("got %s %s→%s samples %d mismatches %d ready %v; want %s→%s %d %d %v: %s",
					rr.Route, rr.Primary, rr.Shadow, rr.Samples, rr.Mismatches, rr.Ready,
					tt.primary, tt.shadow, tt.samples, tt.mismatches, tt.ready, tt.reason)
			}
		})
	}
	if got[0].PrimaryLatency.P50 >= got[1].PrimaryLatency.P50 {
		t.Errorf("primary p50 %v before, %v after: latencies are kept per direction", got[0].PrimaryLatency.P50, got[1].PrimaryLatency.P50)
	}
	rep := h.rec.Report()
	if len(rep.Routes[0].Signatures) != 0 || len(rep.Routes[1].Signatures) != 1 {
		t.Errorf("signatures %d and %d, want 0 and 1: signatures are kept per direction", len(rep.Routes[0].Signatures), len(rep.Routes[1].Signatures))
	}

	m := h.metrics(t)["shadowread.comparisons"]
	for _, tt := range []struct {
		name   string
		attrs  []attribute.KeyValue
		want   int64
		reason string
	}{
		{"matches before", at(route, attribute.String("outcome", "match")), 20, "the postgres→dynamodb series"},
		{"mismatches after", []attribute.KeyValue{attribute.String("route", route), attribute.String("primary", "dynamodb"),
			attribute.String("shadow", "postgres"), attribute.String("outcome", "mismatch")}, 3, "the dynamodb→postgres series"},
		{"mismatches before", at(route, attribute.String("outcome", "mismatch")), 0, "nothing leaks across directions"},
	} {
		if got, ok := sumPoint(t, m, tt.attrs...); !ok || got != tt.want {
			t.Errorf("%s: count %d (found %v), want %d: %s", tt.name, got, ok, tt.want, tt.reason)
		}
	}

	rec := httptest.NewRecorder()
	h.rec.ReportHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	page := rec.Body.String()
	first, second := strings.Index(page, "postgres → dynamodb"), strings.Index(page, "dynamodb → postgres")
	if first < 0 || second < 0 || strings.Count(page, `<div class="flow">`) != 2 {
		t.Errorf("the page does not show both directions of the route side by side")
	}
}

// TestMultiFansOut: Multi hands each event to every recorder, and two OTel
// recorders behind it each end their own shadow span.
func TestMultiFansOut(t *testing.T) {
	a, b := newHarness(t), newHarness(t)
	rec := telemetry.Multi(a.rec, nil, b.rec)
	e := mismatch("/orders/{id}", comparator.Diff{Path: "total", Kind: comparator.ValueChanged})
	rec.Record(rec.StartShadow(context.Background(), e), e)
	for name, h := range map[string]*harness{"first": a, "second": b} {
		if got := h.rec.Readiness(); len(got) != 1 || got[0].Mismatches != 1 {
			t.Errorf("%s recorder: readiness %+v, want the mismatch", name, got)
		}
		if ended := h.spans.Ended(); len(ended) != 1 {
			t.Errorf("%s recorder: %d spans ended, want its own shadow span", name, len(ended))
		}
	}
	if _, ok := telemetry.Multi().(telemetry.Nop); !ok {
		t.Error("Multi() without recorders is not Nop")
	}
	if telemetry.Multi(nil, a.rec) != telemetry.Recorder(a.rec) {
		t.Error("Multi of one recorder does not return it")
	}
}

// TestOverflowRouteShared: telemetry folds routes into the name and at the
// default limit flags use.
func TestOverflowRouteShared(t *testing.T) {
	h := newHarness(t)
	for i := range backends.DefaultMaxRoutes + 10 {
		h.rec.Record(context.Background(), event(fmt.Sprintf("/r/%d", i), telemetry.Match))
	}
	rep := h.rec.Report()
	if n := len(rep.Routes); n != backends.DefaultMaxRoutes+1 {
		t.Errorf("%d routes, want backends.DefaultMaxRoutes (%d) plus the overflow", n, backends.DefaultMaxRoutes)
	}
	if last := rep.Routes[len(rep.Routes)-1]; last.Route != backends.OverflowRoute || last.Samples != 10 {
		t.Errorf("last route %q with %d samples, want %q with the 10 beyond the limit", last.Route, last.Samples, backends.OverflowRoute)
	}
}
