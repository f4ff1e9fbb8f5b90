package bound_test

import (
	"math"
	"testing"

	"github.com/shadowread/shadowread/telemetry/internal/bound"
)

// The reference values were computed independently of the code under test,
// with mpmath 1.3.0 at 60 significant digits: bisection on the exact binomial
// tail, P(Bin(n, p) >= k+1) = 0.95, which equals I_p(k+1, n-k) for integer
// arguments:
//
//	from mpmath import mp, mpf, binomial
//	mp.dps = 60
//	tail = lambda k, n, p: 1 - sum(binomial(n, i) * p**i * (1-p)**(n-i) for i in range(k+1))
//	# bisect p in [0, 1] for tail(k, n, p) = 0.95, 200 halvings
//
// Up to ten million samples the bound agrees to 1e-11 relative; at a billion
// the continued fraction's complement loses digits to cancellation (about
// 1e-9 relative, far below anything a readiness decision notices), hence the
// tolerance of 1e-8.
func TestUpperBound(t *testing.T) {
	tests := []struct {
		name              string
		failures, samples uint64
		want              float64
		reason            string
	}{
		{"no samples", 0, 0, 1, "without samples nothing is known: the bound is 1"},
		{"300 clean", 0, 300, 0.0099360819444577122, "1-0.05^(1/300), the rule of three: about 3/n"},
		{"1000 clean", 0, 1000, 0.0029912495450952962, "the default minimum sample count without failures"},
		{"1000 with 5", 5, 1000, 0.010484076911415654, "mpmath binomial tail; the general path of the inverse incomplete beta"},
		{"1 clean", 0, 1, 0.95, "one good sample only rules out rates above 95%"},
		{"10 with 1", 1, 10, 0.39416330243650478, "few samples, a wide bound"},
		{"100 with 50", 50, 100, 0.58637828536908824, "a symmetric case, above the fraction's switch point"},
		{"1000 with 999", 999, 1000, 0.99994870802109098, "almost all failures"},
		{"1e6 with 3", 3, 1_000_000, 7.7536380988400607e-6, "a healthy route after weeks"},
		{"1e7 with 1000", 1000, 10_000_000, 0.00010536002982477838, "large parameters need many continued-fraction terms"},
		{"1e9 with 10", 10, 1_000_000_000, 1.6962219176674557e-8, "very large n, tiny rate"},
		{"1e9 with 1000", 1000, 1_000_000_000, 1.0536030938950859e-6, "very large n, many failures"},
		{"1e5 with 20", 20, 100_000, 0.00029060702016399023, "a route that is not ready"},
		{"1000 with 300", 300, 1000, 0.32475361271934874, "a broken shadow"},
		{"all failures", 7, 7, 1, "nothing rules out a rate of 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := bound.UpperBound(tt.failures, tt.samples)
			if rel := math.Abs(got-tt.want) / tt.want; rel > 1e-8 {
				t.Errorf("UpperBound(%d, %d) = %.17g, want %.17g (relative error %.1e): %s",
					tt.failures, tt.samples, got, tt.want, rel, tt.reason)
			}
		})
	}
}
