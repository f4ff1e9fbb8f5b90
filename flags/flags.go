package flags

import (
	"context"
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
	// serves users; the other one is the shadow. Case does not matter, and
	// "postgresql" names PostgreSQL too.
	KeyPrimary = "shadowread.primary"
	// KeyPrimaryPercent (float, 0 to 100) is the share of users whose
	// primary is DynamoDB while KeyPrimary is "postgres" (see the package
	// documentation, Primary share). A missing flag is 0; [WithPrimaryPercentKey]
	// replaces the key.
	KeyPrimaryPercent = "shadowread.primary-percent"
)

// Attributes of the evaluation context, for targeting rules in the provider.
const (
	// AttrRoute is the route pattern given to [Flags.Decide].
	AttrRoute = "route"
	// AttrMethod is the request's HTTP method.
	AttrMethod = "method"
)

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
	client   openfeature.IClient
	cfg      config
	hash     stickyHash // the sampling roll
	share    stickyHash // the primary-share roll, salted with its own key
	reporter *reporter

	// generation counts refreshes: provider events and interval ticks.
	// Values read in an older generation are stale.
	generation atomic.Uint64
	onEvent    func(openfeature.EventDetails)

	routes           atomic.Pointer[routeTable] // replaced on insert
	other            *entry                     // shared entry past the cap
	problems         problems                   // what keeps it from shadowing, for Problem
	overflowReported atomic.Bool
	slowReported     atomic.Bool
	closed           atomic.Bool

	mu    sync.Mutex // serialises route inserts, Close and timer re-arming
	timer timer

	// Evaluations run in goroutines of their own (see background.go).
	// lifecycle orders their start against Close; closing ends when Close starts.
	lifecycle  sync.RWMutex
	running    sync.WaitGroup
	closing    context.Context
	cancel     context.CancelFunc
	exactSlots chan struct{}
}

var _ Decider = (*Flags)(nil)

// New returns a [Decider] that reads [KeyEnabled], [KeySamplePercent] and
// [KeyPrimary] through client, usually an [*openfeature.Client]. A nil
// client means the default client, [openfeature.NewDefaultClient]. New
// registers handlers for provider events on client and arms a refresh
// timer; [Flags.Close] removes both.
//
// New never evaluates a flag and never fails: a client whose provider is
// missing, not ready or failing gives the safe decision ([SafeFor] the
// fallback primary) until it recovers, and the last good decision of a
// route once it has been read.
func New(client openfeature.IClient, opts ...Option) *Flags {
	if c, ok := client.(*openfeature.Client); client == nil || ok && c == nil {
		client = openfeature.NewDefaultClient()
	}
	f := &Flags{client: client, cfg: newConfig(opts)}
	f.hash = newStickyHash(f.cfg.keys.samplePercent)
	f.share = newStickyHash(f.cfg.keys.primaryPercent)
	f.reporter = newReporter(f.cfg.handleError)
	f.other = newEntry(routeKey{backends.OverflowRoute, backends.OverflowRoute})
	f.routes.Store(newRouteTable())
	f.closing, f.cancel = context.WithCancel(context.Background())
	f.exactSlots = make(chan struct{}, maxExactEvaluations)

	f.generation.Store(1)
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
// mode it does not allocate once the (route, method) pair has been seen, and
// it waits for the provider only on the first request of the pair, at most
// the evaluation timeout ([WithEvaluationTimeout]). After [Flags.Close] it
// returns the safe decision, [Flags.Safe].
func (f *Flags) Decide(r *http.Request, route string) Decision {
	if f.cfg.exact {
		return f.decideExact(r, route)
	}
	e := f.routes.Load().find(route, r.Method)
	if e == nil {
		if e = f.entry(route, r.Method); e == nil {
			return f.Safe()
		}
	}
	return f.decideCached(r, e)
}

// decideCached returns the decision for r from e, the cache entry of its
// route and method.
func (f *Flags) decideCached(r *http.Request, e *entry) Decision {
	v := e.current.Load()
	if v == nil {
		v = f.firstValues(e)
	} else if v.generation != f.generation.Load() {
		f.refreshInBackground(e)
	}
	d := v.decision()
	if v.split() || v.shareSplit() {
		f.roll(&d, v, f.keyOf(r))
	}
	return d
}

// Safe returns the decision taken for a route whose flags have never been
// read, and after Close: the fallback primary ([WithFallbackPrimary])
// serves the user and nothing is shadowed.
func (f *Flags) Safe() Decision { return SafeFor(f.cfg.fallback) }

// decideExact evaluates the flags with the request's own evaluation context.
func (f *Flags) decideExact(r *http.Request, route string) Decision {
	e := f.entry(route, r.Method)
	if e == nil {
		return f.Safe()
	}
	key := f.keyOf(r)
	attrs := make(map[string]any, 2)
	if f.cfg.attributes != nil {
		maps.Copy(attrs, f.cfg.attributes(r))
	}
	attrs[AttrRoute] = route
	attrs[AttrMethod] = r.Method
	v := f.evaluateExact(r.Context(), openfeature.NewEvaluationContext(key, attrs), e)
	d := v.decision()
	f.roll(&d, &v, key)
	return d
}

// keyOf returns the targeting key of r, "" without a key function.
func (f *Flags) keyOf(r *http.Request) string {
	if f.cfg.targetingKey == nil {
		return ""
	}
	return f.cfg.targetingKey(r)
}

// roll completes d, the decision of v, with the rolls of key: the primary
// share's, then the sampling's. Each roll has its own salt, so the users
// moved to DynamoDB and the users shadowed are independent sets.
func (f *Flags) roll(d *Decision, v *values, key string) {
	if v.shareSplit() && rollUnder(f.share, v.share, key) {
		d.Primary = backends.DynamoDB
	}
	if v.split() {
		d.Sampled = rollUnder(f.hash, v.threshold, key)
	}
}

// rollUnder reports whether the bucket of key under h, or a random bucket
// for an empty key, is below threshold.
func rollUnder(h stickyHash, threshold uint32, key string) bool {
	if key == "" {
		return randomBucket() < threshold
	}
	return h.bucket(key) < threshold
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

// Close removes the event handlers from the client, stops the refresh
// timer, cancels the context of evaluations still running and waits for
// them to return, so the Flags can be garbage collected. Afterwards Decide
// returns [Flags.Safe]. Close is safe to call more than once.
func (f *Flags) Close() {
	f.lifecycle.Lock()
	f.mu.Lock()
	if f.closed.Swap(true) {
		f.mu.Unlock()
		f.lifecycle.Unlock()
		return
	}
	f.timer.Stop()
	f.routes.Store(newRouteTable())
	f.mu.Unlock()
	f.lifecycle.Unlock()
	for _, t := range eventTypes {
		f.client.RemoveHandler(t, &f.onEvent)
	}
	f.cancel()
	f.running.Wait()
}
