package telemetry_test

import (
	"context"
	"math"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/telemetry"
	"github.com/shadowread/shadowread/telemetry/report"
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
		{"transients are neither samples nor failures", map[telemetry.Outcome]int{telemetry.Match: 300, telemetry.Transient: 10}, 300, 0, true,
			"a mismatch the re-check explained by a write is no wrong answer, nor a compared one (coverage 300/310 is above 95%)"},
		{"dropped and skipped are not samples", map[telemetry.Outcome]int{telemetry.Match: 250, telemetry.Dropped: 400, telemetry.Skipped: 100}, 250, 0, false,
			"requests without a verdict say nothing about correctness"},
		{"timeouts are failures", map[telemetry.Outcome]int{telemetry.Match: 995, telemetry.Timeout: 5}, 1000, 5, false,
			"a shadow that times out would fail the user after the cutover"},
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
			if want := report.UpperBound(tt.wantFailures, tt.wantSamples); rr.UpperBound != want {
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

// TestCoverage: what was not compared lowers a route's coverage, and a route
// is ready only with enough of its sampled requests compared, whatever its
// bound.
func TestCoverage(t *testing.T) {
	type count struct {
		outcome telemetry.Outcome
		reason  telemetry.Reason
		n       int
	}
	tests := []struct {
		name         string
		events       []count
		wantSamples  uint64
		wantFailures uint64
		wantSampled  uint64
		wantCoverage float64
		wantNot      []report.NotCompared
		wantReady    bool
		reason       string
	}{
		{"all compared", []count{{telemetry.Match, "", 1000}}, 1000, 0, 1000, 1, []report.NotCompared{}, true,
			"1,000 clean samples bound the rate by 0.3%, under 0.5%, and every sampled request was compared"},
		{"skips block ready", []count{{telemetry.Match, "", 1000}, {telemetry.Skipped, telemetry.ReasonBodyTooLarge, 100}}, 1000, 0, 1100, 1000.0 / 1100,
			[]report.NotCompared{{Outcome: telemetry.Skipped, Reason: telemetry.ReasonBodyTooLarge, Count: 100}}, false,
			"the bound is met, but 9% of the sampled requests were never compared: the large bodies may be exactly the broken ones"},
		{"transients lower coverage", []count{{telemetry.Match, "", 1000}, {telemetry.Transient, telemetry.ReasonWriteRaced, 40},
			{telemetry.Transient, telemetry.ReasonShadowLagged, 20}}, 1000, 0, 1060, 1000.0 / 1060,
			[]report.NotCompared{{Outcome: telemetry.Transient, Reason: telemetry.ReasonWriteRaced, Count: 40},
				{Outcome: telemetry.Transient, Reason: telemetry.ReasonShadowLagged, Count: 20}}, false,
			"a transient is neither a sample nor a failure: 60 of 1,060 not compared is 5.7%, over the 5% allowed"},
		{"timeouts lower coverage and fail", []count{{telemetry.Match, "", 1000}, {telemetry.Timeout, "", 2}, {telemetry.Dropped, telemetry.ReasonThrottled, 3}},
			1002, 2, 1005, 1000.0 / 1005,
			[]report.NotCompared{{Outcome: telemetry.Dropped, Reason: telemetry.ReasonThrottled, Count: 3}, {Outcome: telemetry.Timeout, Count: 2}}, false,
			"a timeout is a failure that was never compared; drops lower coverage too"},
		{"shadow errors are compared", []count{{telemetry.Match, "", 1000}, {telemetry.ShadowError, telemetry.ReasonStatus5xx, 2}}, 1002, 2, 1002, 1,
			[]report.NotCompared{}, false, "a shadow error is an answer the user would have got: compared, and a failure"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock()
			h := newHarness(t, telemetry.WithClock(clock.Now), telemetry.WithReadyThreshold(0.005), telemetry.WithMinSamples(1000))
			h.rec.Mark()
			for _, c := range tt.events {
				for range c.n {
					e := event("/products/{id}", c.outcome)
					e.Reason = c.reason
					h.shadow(e)
				}
			}
			rr := h.rec.Readiness()[0]
			for _, f := range []struct {
				name string
				fig  report.ReadinessFigure
			}{
				{"cumulative", report.ReadinessFigure{Samples: rr.Samples, Mismatches: rr.Mismatches, Errors: rr.Errors, Sampled: rr.Sampled,
					Coverage: rr.Coverage, NotCompared: rr.NotCompared, Ready: rr.Ready}},
				{"window", rr.Window},
				{"since mark", *rr.SinceMark},
			} {
				got := f.fig
				if got.Samples != tt.wantSamples || got.Mismatches+got.Errors != tt.wantFailures || got.Sampled != tt.wantSampled ||
					math.Abs(got.Coverage-tt.wantCoverage) > 1e-15 || got.Ready != tt.wantReady || !slices.Equal(got.NotCompared, tt.wantNot) {
					t.Errorf("%s: samples %d failures %d sampled %d coverage %g not compared %v ready %v; want %d %d %d %g %v %v: %s",
						f.name, got.Samples, got.Mismatches+got.Errors, got.Sampled, got.Coverage, got.NotCompared, got.Ready,
						tt.wantSamples, tt.wantFailures, tt.wantSampled, tt.wantCoverage, tt.wantNot, tt.wantReady, tt.reason)
				}
			}
		})
	}
}

// TestCleanSamplesNeeded: the collecting figure is the number of failure-free
// samples the bound still needs with the failures seen: the smallest n with
// UpperBound(failures, n) < threshold, minus the samples so far.
func TestCleanSamplesNeeded(t *testing.T) {
	tests := []struct {
		name              string
		matches, failures int
		minSamples        uint64
		want              uint64
		derive            bool // want is computed from the definition
		reason            string
	}{
		{"no failures", 500, 0, 1000, 2995 - 500, false, "at 0.1% with no failure the bound needs 2,995 samples (1-0.05^(1/n) < 0.001)"},
		{"no sample", 0, 0, 1000, 2995, false, "the whole way"},
		{"five failures", 995, 5, 1000, 0, true, "every failure pushes the edge further out"},
		{"many failures", 20000, 65, 1000, 0, true, "65 failures need about 80,000 samples"},
		{"past the edge", 3000, 0, 1000, 0, false, "the bound is below the threshold: nothing more needed"},
		{"the minimum rules", 10, 0, 5000, 5000 - 10, false, "2,995 would do for the bound, but the route needs 5,000 samples"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, telemetry.WithMinSamples(tt.minSamples))
			for range tt.matches {
				h.shadow(event("/orders/{id}", telemetry.Match))
			}
			for range tt.failures {
				h.shadow(mismatch("/orders/{id}", comparator.Diff{Path: "total", Kind: comparator.ValueChanged}))
			}
			if tt.matches+tt.failures == 0 {
				h.rec.Record(context.Background(), event("/orders/{id}", telemetry.Dropped))
			}
			rr := h.rec.Readiness()[0]
			got := rr.CleanSamplesNeeded
			want := tt.want
			if tt.derive {
				f, n := uint64(tt.failures), rr.Samples
				want = 1
				for report.UpperBound(f, n+want) >= 0.001 {
					want *= 2
				}
				for lo := want / 2; want-lo > 1; { // the smallest need whose bound is below 0.1%
					if mid := lo + (want-lo)/2; report.UpperBound(f, n+mid) < 0.001 {
						want = mid
					} else {
						lo = mid
					}
				}
			}
			if got != want || rr.Window.CleanSamplesNeeded != want {
				t.Errorf("clean samples needed %d (window %d), want %d: %s", got, rr.Window.CleanSamplesNeeded, want, tt.reason)
			}
			if f, n := uint64(tt.failures), rr.Samples+got; got > 0 && (report.UpperBound(f, n) >= 0.001 && n >= tt.minSamples) {
				t.Errorf("with %d more clean samples the bound is %g, not below 0.1%%", got, report.UpperBound(f, n))
			}
		})
	}
}

// TestCoverageOnPage: the report page states the coverage, the minimum, what
// was not compared and the clean samples the bound still needs.
func TestCoverageOnPage(t *testing.T) {
	h := newHarness(t)
	for range 1000 {
		h.shadow(event("/products/{id}", telemetry.Match))
	}
	skipped := event("/products/{id}", telemetry.Skipped)
	skipped.Reason = telemetry.ReasonBodyTooLarge
	for range 100 {
		h.shadow(skipped)
	}
	transient := event("/products/{id}", telemetry.Transient)
	transient.Reason = telemetry.ReasonShadowLagged
	h.shadow(transient)
	rec := httptest.NewRecorder()
	h.rec.ReportHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	page := rec.Body.String()
	for _, want := range []string{
		"90.8% of 1,101 sampled compared (min 95%)",
		"100 skipped (body_too_large) · 1 transient (shadow_lagged)",
		"collecting: 1,995 more clean samples",
		"1,995 more clean samples for a bound below 0.1%",
		"at least 95% of sampled requests were compared",
		"<b>Transient</b> means the re-check showed the write",
		"<b>Ready</b> requires both",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the report page lacks %q", want)
		}
	}
	if strings.Contains(page, "1000/1000") || strings.Contains(page, "of 1,000 clean samples") {
		t.Error("the report page still counts towards the minimum samples, which says nothing about the bound")
	}
}
