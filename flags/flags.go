package flags

import (
	"maps"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/open-feature/go-sdk/openfeature"

	"github.com/shadowread/shadowread/backends"
)

// Flag keys read by [Flags]; [WithFlagKeys] replaces them.
const (
	// KeyEnabled (bool) switches shadow reads on.
	KeyEnabled = "shadowread.enabled"
	// KeySamplePercent (float, 0 to 100) is the share of requests shadowed
	// while KeyEnabled is true.
	KeySamplePercent = "shadowread.sample-percent"
	// KeyPrimary (string, "postgres" or "dynamodb") names the backend that
	// serves users; the other one is the shadow.
	KeyPrimary = "shadowread.primary"
)

// Attributes of the evaluation context, for targeting rules in the provider.
const (
	// AttrRoute is the route pattern given to [Flags.Decide].
	AttrRoute = "route"
	// AttrMethod is the request's HTTP method.
	AttrMethod = "method"
)

// OtherRoute is the route and method of the shared cache entry used once
// more than the maximum number of (route, method) pairs have been seen
// (see [WithMaxRoutes]).
const OtherRoute = "(other)"

// eventTypes are the provider events after which cached values are re-read.
var eventTypes = []openfeature.EventType{
	openfeature.ProviderReady,
	openfeature.ProviderConfigChange,
	openfeature.ProviderError,
	openfeature.ProviderStale,
}

// Flags decides per request from three OpenFeature flags. Create it with
// [New]; it is safe for concurrent use.
type Flags struct {
	client   *openfeature.Client
	cfg      config
	hash     stickyHash
	reporter *reporter

	// generation counts refreshes: provider events and interval ticks.
	// Values read in an older generation are stale.
	generation atomic.Uint64
	onEvent    func(openfeature.EventDetails)

	routes           atomic.Pointer[map[routeKey]*entry] // immutable; replaced on insert
	other            *entry                              // shared entry past the cap
	overflowReported atomic.Bool
	closed           atomic.Bool

	mu    sync.Mutex // serialises route inserts, Close and timer re-arming
	timer timer
}

var _ Decider = (*Flags)(nil)

// New returns a [Decider] that reads [KeyEnabled], [KeySamplePercent] and
// [KeyPrimary] through client. It registers handlers for provider events
// on client and arms a refresh timer; [Flags.Close] removes both.
//
// New never evaluates a flag and never fails: a client whose provider is
// missing, not ready or failing gives [Safe] decisions until it recovers.
func New(client *openfeature.Client, opts ...Option) *Flags {
	if client == nil {
		panic("flags: New needs a client, e.g. flags.New(openfeature.NewClient(\"my-service\"))")
	}
	f := &Flags{client: client, cfg: newConfig(opts)}
	f.hash = newStickyHash(f.cfg.keys.samplePercent)
	f.reporter = newReporter(f.cfg.handleError)
	f.other = &entry{key: routeKey{OtherRoute, OtherRoute}}
	f.routes.Store(&map[routeKey]*entry{})

	// Generations start at 1, so the shared entry's placeholder values
	// (generation 0) are stale and its first use evaluates it.
	f.generation.Store(1)
	f.other.current.Store(&values{primary: backends.Postgres})
	f.onEvent = func(openfeature.EventDetails) { f.generation.Add(1) }
	for _, t := range eventTypes {
		client.AddHandler(t, &f.onEvent)
	}
	f.mu.Lock()
	f.timer = f.cfg.afterFunc(f.cfg.refreshInterval, f.tick)
	f.mu.Unlock()
	return f
}

// Decide returns the decision for r, whose route pattern is route. In cached
// mode it does not allocate once the (route, method) pair has been seen.
// After [Flags.Close] it returns [Safe].
func (f *Flags) Decide(r *http.Request, route string) Decision {
	if f.cfg.exact {
		return f.decideExact(r, route)
	}
	e := f.entry(route, r.Method)
	if e == nil {
		return Safe()
	}
	v := e.current.Load()
	if v.generation != f.generation.Load() {
		v = f.refresh(e, v)
	}
	d := v.decision()
	if v.split() {
		d.Sampled = f.rollUnder(v.threshold, f.keyOf(r))
	}
	return d
}

// decideExact evaluates the flags with the request's own evaluation context.
func (f *Flags) decideExact(r *http.Request, route string) Decision {
	if f.closed.Load() {
		return Safe()
	}
	key := f.keyOf(r)
	attrs := make(map[string]any, 2)
	if f.cfg.attributes != nil {
		maps.Copy(attrs, f.cfg.attributes(r))
	}
	attrs[AttrRoute] = route
	attrs[AttrMethod] = r.Method
	v := f.evaluate(r.Context(), openfeature.NewEvaluationContext(key, attrs), route, r.Method, f.generation.Load())
	d := v.decision()
	if v.split() {
		d.Sampled = f.rollUnder(v.threshold, key)
	}
	return d
}

// keyOf returns the targeting key of r, "" without a key function.
func (f *Flags) keyOf(r *http.Request) string {
	if f.cfg.targetingKey == nil {
		return ""
	}
	return f.cfg.targetingKey(r)
}

// rollUnder reports whether the bucket of key, or a random bucket for an
// empty key, is below threshold.
func (f *Flags) rollUnder(threshold uint32, key string) bool {
	if key == "" {
		return randomBucket() < threshold
	}
	return f.hash.bucket(key) < threshold
}

// tick is the refresh interval's timer function.
func (f *Flags) tick() {
	f.generation.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.closed.Load() {
		f.timer.Reset(f.cfg.refreshInterval)
	}
}

// Close removes the event handlers from the client and stops the refresh
// timer, so the Flags can be garbage collected. Afterwards Decide returns
// [Safe]. Close is safe to call more than once.
func (f *Flags) Close() {
	f.mu.Lock()
	if f.closed.Swap(true) {
		f.mu.Unlock()
		return
	}
	f.timer.Stop()
	f.routes.Store(&map[routeKey]*entry{})
	f.mu.Unlock()
	for _, t := range eventTypes {
		f.client.RemoveHandler(t, &f.onEvent)
	}
}
