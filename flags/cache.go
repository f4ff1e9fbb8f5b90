package flags

import (
	"fmt"
	"maps"
	"slices"
	"sync/atomic"

	"github.com/open-feature/go-sdk/openfeature"

	"github.com/shadowread/shadowread/backends"
)

// routeKey identifies a cache entry. Routes are patterns, so there are few.
type routeKey struct{ route, method string }

// entry holds the last decision of one (route, method) pair. Requests read
// current without locking; one evaluation at a time runs for the entry, in
// the background.
type entry struct {
	key routeKey
	// ec is the evaluation context of cached mode: route and method, no
	// targeting key. It is immutable, so every refresh reuses it.
	ec openfeature.EvaluationContext

	// current is nil until the first evaluation ends or the first request
	// gives up waiting for it.
	current    atomic.Pointer[values]
	evaluating atomic.Bool
	// ready is closed when the first evaluation has stored its values.
	ready  chan struct{}
	filled atomic.Bool
}

func newEntry(key routeKey) *entry {
	return &entry{
		key: key,
		ec: openfeature.NewTargetlessEvaluationContext(map[string]any{
			AttrRoute:  key.route,
			AttrMethod: key.method,
		}),
		ready: make(chan struct{}),
	}
}

// store makes v the entry's current values.
func (e *entry) store(v *values) {
	e.current.Store(v)
	if e.filled.CompareAndSwap(false, true) {
		close(e.ready)
	}
}

// routeTable holds the cache entries by route, then by method: a lookup
// hashes the route alone (a small table is scanned without hashing) and
// compares the method with the few seen on that route, where a key of both
// strings would hash and compare the two. It is immutable once published.
type routeTable struct {
	byRoute map[string][]*entry
	pairs   int // the (route, method) pairs held, bounded by WithMaxRoutes
}

// find returns the entry of (route, method), nil if there is none yet.
func (t *routeTable) find(route, method string) *entry {
	for _, e := range t.byRoute[route] {
		if e.key.method == method {
			return e
		}
	}
	return nil
}

// with returns a copy of t that also holds e.
func (t *routeTable) with(e *entry) *routeTable {
	byRoute := make(map[string][]*entry, len(t.byRoute)+1)
	maps.Copy(byRoute, t.byRoute)
	// A new slice: the old table's may still be read.
	byRoute[e.key.route] = append(slices.Clip(t.byRoute[e.key.route]), e)
	return &routeTable{byRoute: byRoute, pairs: t.pairs + 1}
}

// entry returns the cache entry of (route, method), adding it on first use.
// It returns nil once Flags is closed.
func (f *Flags) entry(route, method string) *entry {
	routes := f.routes.Load()
	if e := routes.find(route, method); e != nil {
		return e
	}
	switch {
	case f.closed.Load():
		return nil
	case routes.pairs >= f.cfg.maxRoutes:
		f.reportOverflow()
		return f.other
	}
	return f.add(routeKey{route, method})
}

// add inserts a new entry into a copy of the table. It does not evaluate:
// the caller starts the entry's first evaluation.
func (f *Flags) add(key routeKey) *entry {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed.Load() {
		return nil
	}
	old := f.routes.Load()
	if existing := old.find(key.route, key.method); existing != nil {
		return existing
	}
	if old.pairs >= f.cfg.maxRoutes {
		f.reportOverflow()
		return f.other
	}
	e := newEntry(key)
	f.routes.Store(old.with(e))
	return e
}

// reportOverflow reports, once per Flags, that the cap was reached.
func (f *Flags) reportOverflow() {
	// Load first: this runs on every request past the cap, and even a
	// failing CompareAndSwap takes the cache line for writing.
	if f.overflowReported.Load() || !f.overflowReported.CompareAndSwap(false, true) {
		return
	}
	f.cfg.handleError(fmt.Errorf("flags: more than %d (route, method) pairs; further pairs share the flag values of route %q (is the route function returning raw paths instead of patterns?)",
		f.cfg.maxRoutes, backends.OverflowRoute))
}
