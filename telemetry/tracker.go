package telemetry

import (
	"slices"
	"time"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/shadowread/shadowread/telemetry/internal/bound"
	"github.com/shadowread/shadowread/telemetry/report"
)

// tracker is the recorder's memory: per route and direction the outcome
// counts, readiness figures, latencies and signatures; per route the noise
// counts and the log limit; and the mark. The OTel recorder feeds it and
// emits what it decides; the report and Readiness read it.
type tracker struct {
	cfg    config
	routes *routeTable
	mark   marker
	need   *bound.Needed // the samples the bound needs, by failures
	// newFlow is called for every flow created, with its route's mutex
	// held: the recorder creates the flow's metric series at zero.
	newFlow func(*flow)
}

func newTracker(cfg config, newFlow func(*flow)) *tracker {
	return &tracker{cfg: cfg, routes: newRouteTable(cfg), need: bound.NewNeeded(cfg.readyThreshold), newFlow: newFlow}
}

// flow returns the flow of d on r, creating it when new. r.mu must be held.
func (t *tracker) flow(r *route, d direction) *flow {
	f, created := r.flow(d)
	if created && t.newFlow != nil {
		t.newFlow(f)
	}
	return f
}

// declare creates the flows of routes in both directions, before their
// first events.
func (t *tracker) declare(routes []string) {
	for _, name := range routes {
		r := t.routes.get(name)
		r.mu.Lock()
		for _, d := range declaredDirections {
			t.flow(r, d)
		}
		r.mu.Unlock()
	}
}

// base returns the route-and-direction attribute set of d on r.
func (t *tracker) base(r *route, d direction) metric.MeasurementOption {
	r.mu.Lock()
	defer r.mu.Unlock()
	return t.flow(r, d).measurement(attrKey{})
}

// observe records e, a verdict on the shadow, on r: its outcome, latencies,
// readiness counts, the noise it absorbed and, for a mismatch, its signature with
// traceID (invalid when the trace was not sampled). It returns the
// attribute sets to record e's metrics with and whether to log it.
func (t *tracker) observe(r *route, e Event, signature string, traceID trace.TraceID, now time.Time) (measurements, mismatchLog) {
	outcome := outcomeLabel(e.Outcome)
	r.mu.Lock()
	defer r.mu.Unlock()
	f := t.flow(r, directionOf(e))
	m := f.observe(e, outcome, now)
	if bodiesCompared(outcome) || len(e.Noise) > 0 {
		r.noise.Comparison(e.Noise, now)
	}
	var logged mismatchLog
	if outcome == Mismatch {
		ex := f.exemplars.Observe(signature, e.Result, traceID, now, t.cfg.showsValues(e.Result))
		logged = r.logDue(ex, now, t.cfg)
	}
	return m, logged
}

// bodiesCompared reports whether the comparator compared the two answers
// of an event with outcome o, so that it could have absorbed noise.
func bodiesCompared(o Outcome) bool {
	return o == Match || o == Mismatch || o == Transient
}

// baselinePair counts the fields an A/A pair differed on in r's noise and
// returns the number of distinct fields it showed.
func (t *tracker) baselinePair(r *route, e Event, now time.Time) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.noise.BaselinePair(e.Result.Diffs, now)
}

// noise returns the noise counts of every route that has A/A pairs or
// absorbed noise.
func (t *tracker) noise() []report.RouteNoise {
	out := []report.RouteNoise{}
	for _, r := range t.routes.all() {
		r.mu.Lock()
		n := report.RouteNoise{Route: r.name, Baseline: r.noise.Baseline, Compared: r.noise.Compared,
			Fields: r.noise.Report(), EvictedFields: r.noise.Evicted}
		r.mu.Unlock()
		if n.Baseline > 0 || len(n.Fields) > 0 {
			out = append(out, n)
		}
	}
	slices.SortFunc(out, func(a, b report.RouteNoise) int { return compareRoutes(a.Route, b.Route) })
	return out
}
