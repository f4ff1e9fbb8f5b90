package demo

import (
	"context"
	"maps"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/telemetry"
)

// Tracker wraps the service's shadow recorder to check the demo's result
// per request path: every comparison still goes to the recorder (which
// makes the report), and the tracker also notes the verdicts on the paths
// the drift was put on, any mismatch elsewhere, and the handler time of
// each store. It is safe for concurrent use.
type Tracker struct {
	next telemetry.Recorder

	// Live counters for the progress line. Baselines counts the A/A
	// comparisons of the noise baseline, which are in none of the others.
	sampled, mismatches, transients, dropped, errors, baselines atomic.Uint64
	// started counts the comparisons started and not yet recorded: a
	// mismatch waiting on its re-check holds no shadow slot but is here.
	started atomic.Int64

	mu      sync.Mutex
	watched map[string]*Verdicts // by request path
	// rechecks and causes count, per watched path, the re-check results
	// and the reasons of transients; causes[""] counts every route's.
	rechecks   map[string]map[telemetry.RecheckResult]uint64
	causes     map[string]map[telemetry.Reason]uint64
	unexpected []Unexpected // the first maxUnexpected
	// unexpectedCount counts every mismatch on a path without drift.
	unexpectedCount uint64
	latency         map[backends.Name]*reservoir
	primaries       map[string]map[backends.Name]uint64 // sampled requests by route and primary
}

// Verdicts are the outcomes of the sampled requests of one path.
type Verdicts map[telemetry.Outcome]uint64

// Unexpected is a mismatch on a path no drift was put on.
type Unexpected struct {
	Route, Path, Signature string
	Paths                  []string // the diff paths
}

// maxUnexpected bounds the unexpected mismatches kept for the report.
const maxUnexpected = 20

// NewTracker wraps next.
func NewTracker(next telemetry.Recorder) *Tracker {
	return &Tracker{
		next:      next,
		watched:   map[string]*Verdicts{},
		rechecks:  map[string]map[telemetry.RecheckResult]uint64{},
		causes:    map[string]map[telemetry.Reason]uint64{"": {}},
		latency:   map[backends.Name]*reservoir{backends.Postgres: newReservoir(1), backends.DynamoDB: newReservoir(2)},
		primaries: map[string]map[backends.Name]uint64{},
	}
}

// Watch marks request paths whose verdicts the report checks.
func (t *Tracker) Watch(paths ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, p := range paths {
		if t.watched[p] == nil {
			t.watched[p] = &Verdicts{}
			t.rechecks[p] = map[telemetry.RecheckResult]uint64{}
			t.causes[p] = map[telemetry.Reason]uint64{}
		}
	}
}

// pathKey is the context key of the request path.
type pathKey struct{}

// TagRequests puts each request's path into its context, where
// [Tracker.Record] finds it again: the shadow's context derives from the
// request's.
func TagRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), pathKey{}, r.URL.Path)))
	})
}

// startedKey marks the context of a comparison [Tracker.StartShadow] saw
// start; its event is recorded under that context, after a re-check too.
type startedKey struct{}

// StartShadow implements [telemetry.Recorder].
func (t *Tracker) StartShadow(ctx context.Context, e telemetry.Event) context.Context {
	ctx = t.next.StartShadow(ctx, e)
	t.started.Add(1)
	return context.WithValue(ctx, startedKey{}, true)
}

// Pending returns the number of comparisons started and not yet recorded,
// re-checks waiting on their delay included: counts are complete when it
// is 0.
func (t *Tracker) Pending() int64 { return t.started.Load() }

// Record implements [telemetry.Recorder].
func (t *Tracker) Record(ctx context.Context, e telemetry.Event) {
	if ctx.Value(startedKey{}) != nil {
		defer t.started.Add(-1) // once the counts below are in
	}
	t.next.Record(ctx, e)
	if e.NoiseBaseline {
		// The primary against itself: what differs is noise to learn, not
		// a verdict on the shadow.
		t.baselines.Add(1)
		return
	}
	t.sampled.Add(1)
	switch e.Outcome {
	case telemetry.Mismatch:
		t.mismatches.Add(1)
	case telemetry.Transient:
		t.transients.Add(1)
	case telemetry.Dropped:
		t.dropped.Add(1)
	case telemetry.ShadowError, telemetry.Timeout:
		t.errors.Add(1)
	}
	path, _ := ctx.Value(pathKey{}).(string)

	t.mu.Lock()
	defer t.mu.Unlock()
	if e.Outcome == telemetry.Transient {
		t.causes[""][e.Reason]++
	}
	if v := t.watched[path]; v != nil {
		(*v)[e.Outcome]++
		if e.Recheck != telemetry.RecheckNone {
			t.rechecks[path][e.Recheck]++
		}
		if e.Outcome == telemetry.Transient {
			t.causes[path][e.Reason]++
		}
	} else if e.Outcome == telemetry.Mismatch {
		t.unexpectedCount++
	}
	if t.watched[path] == nil && e.Outcome == telemetry.Mismatch && len(t.unexpected) < maxUnexpected {
		u := Unexpected{Route: e.Route, Path: path, Signature: e.Result.Signature()}
		for _, d := range e.Result.Diffs {
			u.Paths = append(u.Paths, d.Path+" "+string(d.Kind))
		}
		t.unexpected = append(t.unexpected, u)
	}
	if r := t.latency[e.Primary]; r != nil && e.PrimaryDuration > 0 {
		r.add(e.PrimaryDuration)
	}
	if r := t.latency[e.Shadow]; r != nil && e.ShadowDuration > 0 {
		r.add(e.ShadowDuration)
	}
	if t.primaries[e.Route] == nil {
		t.primaries[e.Route] = map[backends.Name]uint64{}
	}
	t.primaries[e.Route][e.Primary]++
}

// Verdicts returns the verdicts of a watched path.
func (t *Tracker) Verdicts(path string) Verdicts {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := Verdicts{}
	if v := t.watched[path]; v != nil {
		for k, n := range *v {
			out[k] = n
		}
	}
	return out
}

// Rechecks returns the re-check results of a watched path's sampled
// requests.
func (t *Tracker) Rechecks(path string) map[telemetry.RecheckResult]uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return maps.Clone(t.rechecks[path])
}

// Causes returns the transients of a watched path by reason (the write the
// re-check showed: write_raced or shadow_lagged); path "" gives those of
// every route.
func (t *Tracker) Causes(path string) map[telemetry.Reason]uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return maps.Clone(t.causes[path])
}

// Unexpected returns the number of mismatches on paths without drift and
// the first of them (at most 20).
func (t *Tracker) Unexpected() (uint64, []Unexpected) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.unexpectedCount, slices.Clone(t.unexpected)
}

// Latency returns the handler-time percentiles of a store over the sampled
// requests, in either role.
func (t *Tracker) Latency(b backends.Name) (p50, p99 time.Duration, n uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	r := t.latency[b]
	if r == nil {
		return 0, 0, 0
	}
	return r.quantile(0.50), r.quantile(0.99), r.seen
}

// StartSwitch starts counting the primaries afresh, at a switch of the
// primary flag.
func (t *Tracker) StartSwitch() {
	t.mu.Lock()
	defer t.mu.Unlock()
	clear(t.primaries)
}

// PrimaryShare returns the share of a route's sampled requests whose
// primary was b, since [Tracker.StartSwitch].
func (t *Tracker) PrimaryShare(route string, b backends.Name) float64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	var total uint64
	for _, n := range t.primaries[route] {
		total += n
	}
	if total == 0 {
		return 0
	}
	return float64(t.primaries[route][b]) / float64(total)
}

// reservoir keeps a uniform sample of at most reservoirSize durations
// (Vitter's algorithm R), so its memory is bounded whatever the load.
type reservoir struct {
	rng     *rand.Rand
	samples []time.Duration
	seen    uint64
}

const reservoirSize = 100_000

func newReservoir(seed uint64) *reservoir {
	return &reservoir{rng: rand.New(rand.NewPCG(seed, seed))}
}

func (r *reservoir) add(d time.Duration) {
	r.seen++
	if len(r.samples) < reservoirSize {
		r.samples = append(r.samples, d)
		return
	}
	if i := r.rng.Uint64N(r.seen); i < reservoirSize {
		r.samples[i] = d
	}
}

func (r *reservoir) quantile(q float64) time.Duration {
	if len(r.samples) == 0 {
		return 0
	}
	s := slices.Clone(r.samples)
	slices.Sort(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}
