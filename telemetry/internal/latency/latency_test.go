package latency

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/shadowread/shadowread/telemetry/report"
)

func TestLatencyQuantiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tests := []struct {
		name   string
		sample func() time.Duration
		reason string
	}{
		{"lognormal reads", func() time.Duration {
			return time.Duration(math.Exp(rng.NormFloat64()*0.8) * float64(2*time.Millisecond))
		}, "a typical database read: most around 2 ms, a long tail"},
		{"uniform", func() time.Duration {
			return time.Duration(rng.Int64N(int64(50 * time.Millisecond)))
		}, "flat spread across many buckets"},
		{"constant", func() time.Duration { return 7 * time.Millisecond },
			"one value: every quantile is exactly it, thanks to the min/max clamp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h Histogram
			values := make([]time.Duration, 20_000)
			for i := range values {
				values[i] = tt.sample()
				h.Observe(values[i])
			}
			slices.Sort(values)
			for _, q := range []float64{0.5, 0.99} {
				exact := values[int(math.Ceil(q*float64(len(values))))-1]
				got := h.quantile(q)
				if rel := math.Abs(float64(got-exact)) / float64(exact); rel > 0.045 && got != exact {
					t.Errorf("q%.2f = %v, exact %v (off by %.1f%%, want within 4.5%%): %s", q, got, exact, 100*rel, tt.reason)
				}
			}
		})
	}
}

// Handler times under a microsecond all land in the first bucket; the
// estimate then stays inside the observed range rather than pretending.
func TestLatencyBelowFloor(t *testing.T) {
	var h Histogram
	for d := 100 * time.Nanosecond; d < 900*time.Nanosecond; d += 10 {
		h.Observe(d)
	}
	if got := h.quantile(0.5); got < 100*time.Nanosecond || got > 900*time.Nanosecond {
		t.Errorf("median = %v, want within the observed 100ns..900ns", got)
	}
}

func TestLatencyEmpty(t *testing.T) {
	var h Histogram
	if s := h.Summary(); s != (report.LatencySummary{}) {
		t.Errorf("summary of nothing = %+v, want zero", s)
	}
}
