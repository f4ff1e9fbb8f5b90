package cutover

import (
	"context"
	"fmt"
	"math"
)

// Verdict is a gate's judgement of a route at one interval.
type Verdict int

const (
	// Wait: not enough evidence yet. The route holds where it is and its
	// hold does not end.
	Wait Verdict = iota
	// Pass: the evidence holds.
	Pass
	// Fail: the evidence breaks. The route rolls back at once.
	Fail
)

func (v Verdict) String() string {
	switch v {
	case Pass:
		return "pass"
	case Fail:
		return "fail"
	}
	return "wait"
}

// MarshalText names the verdict in JSON.
func (v Verdict) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// Result is one gate's verdict, with the reason a person reads.
type Result struct {
	Gate    string  `json:"gate"`
	Verdict Verdict `json:"verdict"`
	Reason  string  `json:"reason"`
}

// Gate judges one route. Gates given with [WithGates] are checked before the
// first step and at every step; for example, "the write mode still writes
// both stores".
type Gate interface {
	Name() string
	Check(ctx context.Context, route string, ev RouteEvidence) Result
}

// GateFunc adapts a function to [Gate].
func GateFunc(name string, check func(ctx context.Context, route string, ev RouteEvidence) (Verdict, string)) Gate {
	if name == "" || check == nil {
		panic("cutover: GateFunc needs a name and a function, e.g. cutover.GateFunc(\"dual-write\", check)")
	}
	return gateFunc{name, check}
}

type gateFunc struct {
	name  string
	check func(context.Context, string, RouteEvidence) (Verdict, string)
}

func (g gateFunc) Name() string { return g.name }

func (g gateFunc) Check(ctx context.Context, route string, ev RouteEvidence) Result {
	v, reason := g.check(ctx, route, ev)
	return Result{Gate: g.name, Verdict: v, Reason: reason}
}

// ForwardReady is the gate before the first step: DynamoDB, as PostgreSQL's
// shadow, is ready by the source's verdict (bound and coverage).
func ForwardReady() Gate {
	return GateFunc("forward-ready", func(_ context.Context, _ string, ev RouteEvidence) (Verdict, string) {
		f := ev.Forward
		if f.Ready {
			return Pass, fmt.Sprintf("postgres→dynamodb ready: bound %.5f over %.0f samples", f.UpperBound, f.Samples)
		}
		return Wait, fmt.Sprintf("postgres→dynamodb not ready: bound %.5f over %.0f samples", f.UpperBound, f.Samples)
	})
}

// ReverseUnder is the gate on the moved users' comparisons (DynamoDB
// primary, PostgreSQL shadow). It passes once the upper bound on their
// failure rate is under bound, and fails as soon as the failures show, with
// 95% confidence, a rate above it (the Wilson score lower bound exceeds
// bound): a few failures in a small sample are enough, while a clean small
// sample only waits.
func ReverseUnder(bound float64) Gate {
	if !(bound > 0 && bound < 1) {
		panic(fmt.Sprintf("cutover: ReverseUnder needs a bound between 0 and 1, e.g. cutover.ReverseUnder(0.001), not %v", bound))
	}
	return GateFunc("reverse-bound", func(_ context.Context, _ string, ev RouteEvidence) (Verdict, string) {
		r := ev.Reverse
		switch {
		case r.Samples > 0 && wilsonLower(r.Failures, r.Samples) > bound:
			return Fail, fmt.Sprintf("dynamodb→postgres failing: %.0f failures in %.0f samples, above %v with 95%% confidence", r.Failures, r.Samples, bound)
		case r.Samples > 0 && r.UpperBound < bound:
			return Pass, fmt.Sprintf("dynamodb→postgres bound %.5f under %v over %.0f samples", r.UpperBound, bound, r.Samples)
		}
		return Wait, fmt.Sprintf("dynamodb→postgres bound %.5f not yet under %v (%.0f failures in %.0f samples)", r.UpperBound, bound, r.Failures, r.Samples)
	})
}

// wilsonLower is the one-sided 95% Wilson score lower bound on a rate of
// f in n.
func wilsonLower(f, n float64) float64 {
	const z = 1.6448536269514722
	p := f / n
	centre := p + z*z/(2*n)
	spread := z * math.Sqrt(p*(1-p)/n+z*z/(4*n*n))
	return (centre - spread) / (1 + z*z/n)
}

// LatencyWithin is the gate on the moved users' latency: DynamoDB-primary
// p99 at most factor times PostgreSQL-primary p99, each measured at least
// minCount times.
func LatencyWithin(factor float64, minCount float64) Gate {
	if !(factor >= 1) || minCount < 1 {
		panic("cutover: LatencyWithin needs a factor of at least 1 and a count of at least 1, e.g. cutover.LatencyWithin(1.5, 100)")
	}
	return GateFunc("latency", func(_ context.Context, _ string, ev RouteEvidence) (Verdict, string) {
		pg, ddb := ev.Postgres, ev.DynamoDB
		if pg.LatencyCount < minCount || ddb.LatencyCount < minCount {
			return Wait, fmt.Sprintf("p99 needs %.0f measurements of each primary (postgres %.0f, dynamodb %.0f)", minCount, pg.LatencyCount, ddb.LatencyCount)
		}
		limit := float64(pg.P99) * factor
		if float64(ddb.P99) > limit {
			return Fail, fmt.Sprintf("dynamodb p99 %v above %.2f × postgres p99 %v", ddb.P99, factor, pg.P99)
		}
		return Pass, fmt.Sprintf("dynamodb p99 %v within %.2f × postgres p99 %v", ddb.P99, factor, pg.P99)
	})
}

// ErrorsWithin is the gate on the moved users' errors: the DynamoDB-primary
// 5xx rate at most margin (a fraction, 0.01 is one point) above PostgreSQL's,
// each over at least minRequests requests.
func ErrorsWithin(margin float64, minRequests float64) Gate {
	if !(margin >= 0 && margin < 1) || minRequests < 1 {
		panic("cutover: ErrorsWithin needs a margin from 0 to 1 and at least 1 request, e.g. cutover.ErrorsWithin(0.01, 100)")
	}
	return GateFunc("errors", func(_ context.Context, _ string, ev RouteEvidence) (Verdict, string) {
		pg, ddb := ev.Postgres, ev.DynamoDB
		if pg.Requests < minRequests || ddb.Requests < minRequests {
			return Wait, fmt.Sprintf("5xx rate needs %.0f requests of each primary (postgres %.0f, dynamodb %.0f)", minRequests, pg.Requests, ddb.Requests)
		}
		if ddb.ErrorRate() > pg.ErrorRate()+margin {
			return Fail, fmt.Sprintf("dynamodb 5xx rate %.4f above postgres %.4f + %v", ddb.ErrorRate(), pg.ErrorRate(), margin)
		}
		return Pass, fmt.Sprintf("dynamodb 5xx rate %.4f within postgres %.4f + %v", ddb.ErrorRate(), pg.ErrorRate(), margin)
	})
}

// judge checks gates in order and returns their results and the worst
// verdict: one failure fails, else one wait waits.
func judge(ctx context.Context, gates []Gate, route string, ev RouteEvidence) ([]Result, Verdict) {
	results := make([]Result, 0, len(gates))
	worst := Pass
	for _, g := range gates {
		r := check(ctx, g, route, ev)
		results = append(results, r)
		switch {
		case r.Verdict == Fail:
			worst = Fail
		case r.Verdict == Wait && worst == Pass:
			worst = Wait
		}
	}
	return results, worst
}

// check runs one gate; a panicking user gate fails, since a gate that
// cannot judge must not let the route advance.
func check(ctx context.Context, g Gate, route string, ev RouteEvidence) (r Result) {
	defer func() {
		if p := recover(); p != nil {
			r = Result{Gate: g.Name(), Verdict: Fail, Reason: fmt.Sprintf("gate panicked: %v", p)}
		}
	}()
	r = g.Check(ctx, route, ev)
	if r.Gate == "" {
		r.Gate = g.Name()
	}
	return r
}
