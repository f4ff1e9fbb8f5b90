package track

import (
	"cmp"
	"slices"
	"sync"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/telemetry/internal/verdict"
	"github.com/shadowread/shadowread/telemetry/report"
)

// Config are the bounds and clock of a [Tracker].
type Config struct {
	// MaxRoutes bounds the routes with state of their own; further ones
	// share backends.OverflowRoute.
	MaxRoutes int
	// MaxSignatures bounds the signatures kept per route and direction, and
	// the mismatch lines logged per route and log interval.
	MaxSignatures int
	// MaxFields bounds the diff fields per route and direction with an
	// attribute set of their own; later ones share "other".
	MaxFields int
	// Window is the length of the sliding readiness window.
	Window time.Duration
	// LogInterval is the log limit's interval.
	LogInterval time.Duration
	Now         func() time.Time
}

// Tracker is the recorder's memory: per route and direction the outcome
// counts, readiness counts, latencies and signatures; per route the noise
// counts and the log limit; and the mark.
type Tracker struct {
	cfg    Config
	routes *routeTable
	mark   marker
	// newFlow is called for every flow created, with its route's mutex
	// held: the recorder creates the flow's metric series at zero.
	newFlow func(*Flow)
}

// New returns an empty tracker. newFlow, when not nil, is called for every
// flow created, with its route's mutex held.
func New(cfg Config, newFlow func(*Flow)) *Tracker {
	return &Tracker{cfg: cfg, routes: newRouteTable(cfg), newFlow: newFlow}
}

// Route returns the state of the route called name: the overflow route for
// an empty name or beyond the limit.
func (t *Tracker) Route(name string) *Route { return t.routes.get(name) }

// flow returns the flow of d on r, creating it when new. r.mu must be held.
func (t *Tracker) flow(r *Route, d Direction) *Flow {
	f, created := r.flow(d)
	if created && t.newFlow != nil {
		t.newFlow(f)
	}
	return f
}

// declaredDirections are the directions a declared route starts with:
// before and after its switch.
var declaredDirections = []Direction{
	{backends.Postgres, backends.DynamoDB},
	{backends.DynamoDB, backends.Postgres},
}

// Declare creates the flows of routes in both directions, before their
// first events.
func (t *Tracker) Declare(routes []string) {
	for _, name := range routes {
		r := t.routes.get(name)
		r.mu.Lock()
		for _, d := range declaredDirections {
			t.flow(r, d)
		}
		r.mu.Unlock()
	}
}

// Base returns the route-and-direction attribute set of d on r.
func (t *Tracker) Base(r *Route, d Direction) *Attrs {
	r.mu.Lock()
	defer r.mu.Unlock()
	return t.flow(r, d).Measurement(AttrKey{})
}

// Observation is one event that is a verdict on the shadow, as the recorder
// labels and judges it.
type Observation struct {
	// Outcome and Reason are the event's labels, Recheck its re-check
	// result's label ("" without a re-check).
	Outcome, Reason, Recheck string
	// Verdict is what the event contributes to readiness.
	Verdict verdict.Verdict
	// Mismatch: its kinds, fields and signature are counted. Compared: the
	// comparator compared the two answers, so it could have absorbed noise.
	Mismatch, Compared              bool
	PrimaryDuration, ShadowDuration time.Duration
	Result                          comparator.Result
	// Noise are the fields whose differences were absorbed.
	Noise []string
	// Signature is Result's signature; TraceID the trace shown for it,
	// invalid when the trace was not sampled; ShowValues whether the
	// values of its differences are kept.
	Signature  string
	TraceID    trace.TraceID
	ShowValues bool
}

// LogDecision says whether a mismatch is logged, and how many occurrences
// of its signature the line stands for.
type LogDecision struct {
	Due         bool
	Occurrences uint64
}

// Observe records o on r in direction d: its outcome, latencies, readiness
// counts, the noise it absorbed and, for a mismatch, its signature. It
// returns the attribute sets to record o's metrics with and whether to log
// it.
func (t *Tracker) Observe(r *Route, d Direction, o Observation) (Measurements, LogDecision) {
	now := t.cfg.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	f := t.flow(r, d)
	m := f.observe(o, now)
	if o.Compared || len(o.Noise) > 0 {
		r.noise.Comparison(o.Noise, now)
	}
	var logged LogDecision
	if o.Mismatch {
		ex := f.exemplars.Observe(o.Signature, o.Result, o.TraceID, now, o.ShowValues)
		logged = r.logDue(ex, now, t.cfg)
	}
	return m, logged
}

// BaselinePair counts the fields an A/A pair differed on in r's noise and
// returns the number of distinct fields it showed.
func (t *Tracker) BaselinePair(r *Route, diffs []comparator.Diff) int {
	now := t.cfg.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.noise.BaselinePair(diffs, now)
}

// Noise returns the noise counts of every route that has A/A pairs or
// absorbed noise, by route, the overflow route last.
func (t *Tracker) Noise() []report.RouteNoise {
	out := []report.RouteNoise{}
	for _, r := range t.routes.all() {
		r.mu.Lock()
		n := report.RouteNoise{Route: r.Name, Baseline: r.noise.Baseline, Compared: r.noise.Compared,
			Fields: r.noise.Report(), EvictedFields: r.noise.Evicted}
		r.mu.Unlock()
		if n.Baseline > 0 || len(n.Fields) > 0 {
			out = append(out, n)
		}
	}
	slices.SortFunc(out, func(a, b report.RouteNoise) int { return compareRoutes(a.Route, b.Route) })
	return out
}

// Snapshots returns the flows with events, by route, the overflow route
// last, then by direction.
func (t *Tracker) Snapshots() []Snapshot {
	now := t.cfg.Now()
	var out []Snapshot
	for _, r := range t.routes.all() {
		r.mu.Lock()
		for _, f := range r.flows {
			if s := f.snapshot(now); s.Events > 0 {
				out = append(out, s)
			}
		}
		r.mu.Unlock()
	}
	slices.SortFunc(out, func(a, b Snapshot) int {
		return cmp.Or(compareRoutes(a.Route, b.Route), compareDirections(a.Dir, b.Dir))
	})
	return out
}

// compareRoutes orders routes by name, the overflow route last.
func compareRoutes(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == backends.OverflowRoute:
		return 1
	case b == backends.OverflowRoute:
		return -1
	case a < b:
		return -1
	}
	return 1
}

// compareDirections puts postgres→dynamodb (before the switch) first, then
// dynamodb→postgres, then anything with an unknown backend.
func compareDirections(a, b Direction) int {
	rank := func(d Direction) int {
		switch d {
		case Direction{backends.Postgres, backends.DynamoDB}:
			return 0
		case Direction{backends.DynamoDB, backends.Postgres}:
			return 1
		}
		return 2
	}
	return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(a.Primary, b.Primary), cmp.Compare(a.Shadow, b.Shadow))
}

// marker holds the latest mark.
type marker struct {
	mu sync.Mutex
	at time.Time
}

// SetMark sets a mark now, unless the latest is less than minInterval old,
// and returns the mark in effect and whether it is new. Setting a mark
// resets every flow's since-mark counts, under the mark's mutex so that two
// marks cannot interleave their resets.
func (t *Tracker) SetMark(minInterval time.Duration) (time.Time, bool) {
	t.mark.mu.Lock()
	defer t.mark.mu.Unlock()
	now := t.cfg.Now()
	if !t.mark.at.IsZero() && now.Sub(t.mark.at) < minInterval {
		return t.mark.at, false
	}
	t.mark.at = now
	for _, r := range t.routes.all() {
		r.mu.Lock()
		for _, f := range r.flows {
			f.sinceMark = verdict.Counts{}
		}
		r.mu.Unlock()
	}
	return now, true
}

// Marked returns the time of the latest mark, zero without one.
func (t *Tracker) Marked() time.Time {
	t.mark.mu.Lock()
	defer t.mark.mu.Unlock()
	return t.mark.at
}
