package bound

import (
	"math"
	"sync"
)

// confidence is the level of the one-sided upper bound used for readiness.
const confidence = 0.95

// UpperBound returns the one-sided 95% Clopper-Pearson upper bound on a rate
// of which failures events were seen in samples trials (see report.UpperBound,
// which documents it for users).
func UpperBound(failures, samples uint64) float64 {
	switch {
	case samples == 0 || failures >= samples:
		return 1
	case failures == 0:
		// Beta(1, n) has the closed-form quantile 1-(1-q)^(1/n).
		return -math.Expm1(math.Log(1-confidence) / float64(samples))
	}
	return betaQuantile(confidence, float64(failures)+1, float64(samples-failures))
}

// betaQuantile returns the x in [0, 1] with I_x(a, b) = q, by bisection:
// I_x is increasing in x, so halving the bracket converges whatever the
// shape, to about 1e-15 relative.
func betaQuantile(q, a, b float64) float64 {
	lo, hi := 0.0, 1.0
	for range 200 {
		mid := lo + (hi-lo)/2
		if regIncBeta(mid, a, b) < q {
			lo = mid
		} else {
			hi = mid
		}
		if hi-lo <= 1e-15*hi {
			break
		}
	}
	return lo + (hi-lo)/2
}

// regIncBeta returns the regularized incomplete beta function I_x(a, b), a,
// b > 0, by its continued fraction (Numerical Recipes, 3rd ed., 6.4). The
// fraction converges fast for x < (a+1)/(a+b+2); above that the symmetry
// I_x(a, b) = 1 - I_{1-x}(b, a) is used.
func regIncBeta(x, a, b float64) float64 {
	switch {
	case x <= 0:
		return 0
	case x >= 1:
		return 1
	}
	// The prefactor x^a (1-x)^b / B(a, b), in logs to survive large a and b.
	front := math.Exp(a*math.Log(x) + b*math.Log1p(-x) - logBeta(a, b))
	if x < (a+1)/(a+b+2) {
		return front * betaContinuedFraction(x, a, b) / a
	}
	return 1 - front*betaContinuedFraction(1-x, b, a)/b
}

// betaContinuedFraction evaluates the continued fraction of I_x(a, b) by the
// modified Lentz method. Below the switch point it needs O(sqrt(max(a, b)))
// terms, so the limit grows with the parameters.
func betaContinuedFraction(x, a, b float64) float64 {
	const (
		eps  = 1e-16
		tiny = 1e-300 // keeps the Lentz divisions away from zero
	)
	maxTerms := 200 + int(10*math.Sqrt(max(a, b)))
	nonZero := func(v float64) float64 {
		if math.Abs(v) < tiny {
			return tiny
		}
		return v
	}
	qab, qap, qam := a+b, a+1, a-1
	c := 1.0
	d := 1 / nonZero(1-qab*x/qap)
	h := d
	for m := 1; m <= maxTerms; m++ {
		fm := float64(m)
		m2 := 2 * fm
		// Even step.
		aa := fm * (b - fm) * x / ((qam + m2) * (a + m2))
		d = 1 / nonZero(1+aa*d)
		c = nonZero(1 + aa/c)
		h *= d * c
		// Odd step.
		aa = -(a + fm) * (qab + fm) * x / ((a + m2) * (qap + m2))
		d = 1 / nonZero(1+aa*d)
		c = nonZero(1 + aa/c)
		del := d * c
		h *= del
		if math.Abs(del-1) < eps {
			break
		}
	}
	return h
}

// logBeta returns log B(a, b). For large arguments it avoids the
// cancellation of lgamma(a)+lgamma(b)-lgamma(a+b), which loses six digits
// at a billion samples, by cancelling the Stirling terms by hand (as R's
// lbeta does) and keeping only their small corrections.
func logBeta(a, b float64) float64 {
	p, q := min(a, b), max(a, b)
	switch {
	case p >= 10:
		corr := stirlingCorrection(p) + stirlingCorrection(q) - stirlingCorrection(p+q)
		return -0.5*math.Log(q) + lnSqrt2Pi + corr + (p-0.5)*math.Log(p/(p+q)) + q*math.Log1p(-p/(p+q))
	case q >= 10:
		corr := stirlingCorrection(q) - stirlingCorrection(p+q)
		lp, _ := math.Lgamma(p)
		return lp + corr + p - p*math.Log(p+q) + (q-0.5)*math.Log1p(-p/(p+q))
	}
	lp, _ := math.Lgamma(p)
	lq, _ := math.Lgamma(q)
	lpq, _ := math.Lgamma(p + q)
	return lp + lq - lpq
}

// lnSqrt2Pi is log(sqrt(2*pi)).
const lnSqrt2Pi = 0.918938533204672741780329736406

// stirlingCorrection returns lgamma(x) - ((x-0.5)*log(x) - x + log(sqrt(2*pi)))
// for x >= 10, from the Stirling series: the first omitted term is below
// 1e-16 there.
func stirlingCorrection(x float64) float64 {
	x2 := 1 / (x * x)
	return (1.0/12 - x2*(1.0/360-x2*(1.0/1260-x2*(1.0/1680-x2*(1.0/1188-x2*(691.0/360360-x2/156)))))) / x
}

// Needed remembers, for one threshold, the smallest number of
// samples whose bound is below it for each failure count asked for: the
// search costs dozens of bound evaluations, and a report asks for the same
// few failure counts for every route and figure.
type Needed struct {
	threshold float64
	mu        sync.Mutex
	known     map[uint64]uint64 // by failures; at most maxSamplesNeeded entries
}

// maxSamplesNeeded bounds the remembered failure counts; the table starts
// afresh when full.
const maxSamplesNeeded = 4096

// NewNeeded returns an empty table for threshold, 0 < threshold < 1.
func NewNeeded(threshold float64) *Needed {
	return &Needed{threshold: threshold, known: make(map[uint64]uint64)}
}

// Samples returns the smallest n with UpperBound(failures, n) < threshold.
func (s *Needed) Samples(failures uint64) uint64 {
	s.mu.Lock()
	n, ok := s.known[failures]
	s.mu.Unlock()
	if ok {
		return n
	}
	n = minSamplesBelow(failures, s.threshold)
	s.mu.Lock()
	if len(s.known) >= maxSamplesNeeded {
		clear(s.known)
	}
	s.known[failures] = n
	s.mu.Unlock()
	return n
}

// minSamplesBelow returns the smallest n with UpperBound(failures, n) <
// threshold, 0 < threshold < 1. The bound falls as n grows (towards 0), so
// doubling finds a bracket and bisection the edge. Beyond 2^53 samples it
// gives up and returns 2^53.
func minSamplesBelow(failures uint64, threshold float64) uint64 {
	const limit = 1 << 53
	lo, hi := failures, max(2*failures, 1) // UpperBound(f, f) = 1: lo is never enough
	for UpperBound(failures, hi) >= threshold {
		if hi >= limit {
			return limit
		}
		lo, hi = hi, 2*hi
	}
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if UpperBound(failures, mid) < threshold {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}
