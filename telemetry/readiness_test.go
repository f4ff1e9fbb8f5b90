package telemetry_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/telemetry"
)

func TestReadiness(t *testing.T) {
	diff := comparator.Diff{Path: "price", Kind: comparator.ValueChanged}
	tests := []struct {
		name                      string
		events                    map[telemetry.Outcome]int
		wantSamples, wantFailures uint64
		wantReady                 bool
		reason                    string
	}{
		{"300 clean", map[telemetry.Outcome]int{telemetry.Match: 300}, 300, 0, true,
			"zero failures in 300 samples bounds the rate by 0.99%, under the 1% threshold"},
		{"299 clean", map[telemetry.Outcome]int{telemetry.Match: 299}, 299, 0, false,
			"below the minimum sample count a route is never ready"},
		{"1000 with 5 mismatches", map[telemetry.Outcome]int{telemetry.Match: 995, telemetry.Mismatch: 5}, 1000, 5, false,
			"0.5% observed, but the bound is 1.05%: not shown to be under 1%"},
		{"errors are failures", map[telemetry.Outcome]int{telemetry.Match: 995, telemetry.ShadowError: 3, telemetry.Timeout: 2}, 1000, 5, false,
			"a shadow that errs or times out would fail the user after the cutover"},
		{"transients are fine", map[telemetry.Outcome]int{telemetry.Match: 200, telemetry.Transient: 300}, 500, 0, true,
			"a mismatch gone on re-check was replication lag, not a wrong answer"},
		{"dropped and skipped are not samples", map[telemetry.Outcome]int{telemetry.Match: 250, telemetry.Dropped: 400, telemetry.Skipped: 100}, 250, 0, false,
			"requests without a verdict say nothing about correctness"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, telemetry.WithReadyThreshold(0.01), telemetry.WithMinSamples(300))
			for o, n := range tt.events {
				for range n {
					e := event("/products/{id}", o)
					if o == telemetry.Mismatch {
						e = mismatch("/products/{id}", diff)
					}
					h.shadow(e)
				}
			}
			got := h.rec.Readiness()
			if len(got) != 1 {
				t.Fatalf("Readiness() = %+v, want one route", got)
			}
			rr := got[0]
			failures := rr.Mismatches + rr.Errors
			if rr.Route != "/products/{id}" || rr.Samples != tt.wantSamples || failures != tt.wantFailures || rr.Ready != tt.wantReady {
				t.Errorf("route %q samples %d failures %d ready %v; want samples %d failures %d ready %v: %s",
					rr.Route, rr.Samples, failures, rr.Ready, tt.wantSamples, tt.wantFailures, tt.wantReady, tt.reason)
			}
			if want := telemetry.UpperBound(tt.wantFailures, tt.wantSamples); rr.UpperBound != want {
				t.Errorf("upper bound = %g, want %g", rr.UpperBound, want)
			}
			if want := float64(tt.wantFailures) / float64(tt.wantSamples); math.Abs(rr.FailureRate-want) > 1e-15 {
				t.Errorf("failure rate = %g, want %g", rr.FailureRate, want)
			}
		})
	}
}

func TestReadinessLatency(t *testing.T) {
	h := newHarness(t)
	for i := range 100 {
		e := event("/products/{id}", telemetry.Match)
		e.PrimaryDuration = time.Duration(i+1) * 100 * time.Microsecond // 0.1 .. 10 ms
		e.ShadowDuration = 2 * e.PrimaryDuration
		h.shadow(e)
	}
	dropped := event("/products/{id}", telemetry.Dropped)
	dropped.PrimaryDuration, dropped.ShadowDuration = 50*time.Millisecond, 0
	h.rec.Record(context.Background(), dropped)

	rr := h.rec.Readiness()[0]
	tests := []struct {
		name   string
		got    time.Duration
		want   time.Duration
		reason string
	}{
		{"primary p50", rr.PrimaryLatency.P50, 5100 * time.Microsecond, "the 51st of 101 primary times"},
		{"primary p99", rr.PrimaryLatency.P99, 10 * time.Millisecond, "the 100th of 101 primary times"},
		{"shadow p50", rr.ShadowLatency.P50, 10 * time.Millisecond, "the 50th of 100 shadow times"},
		{"shadow p99", rr.ShadowLatency.P99, 19800 * time.Microsecond, "the 99th of 100 shadow times"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if rel := math.Abs(float64(tt.got-tt.want)) / float64(tt.want); rel > 0.045 {
				t.Errorf("%v, want %v within 4.5%%: %s", tt.got, tt.want, tt.reason)
			}
		})
	}
	if rr.PrimaryLatency.Count != 101 || rr.ShadowLatency.Count != 100 {
		t.Errorf("counts = %d, %d; want 101 primary (dropped included), 100 shadow", rr.PrimaryLatency.Count, rr.ShadowLatency.Count)
	}
}
