package flags

import (
	"context"
	"fmt"
	"maps"
	"sync/atomic"

	"github.com/open-feature/go-sdk/openfeature"
)

// routeKey identifies a cache entry. Routes are patterns, so there are few.
type routeKey struct{ route, method string }

// entry caches the flag values of one (route, method) pair. Requests read
// current without locking; a stale entry is re-read by one request at a time.
type entry struct {
	key        routeKey
	current    atomic.Pointer[values]
	refreshing atomic.Bool
}

// entry returns the cache entry of (route, method), adding it on first use.
// It returns nil once Flags is closed.
func (f *Flags) entry(route, method string) *entry {
	key := routeKey{route, method}
	routes := *f.routes.Load()
	if e, ok := routes[key]; ok {
		return e
	}
	switch {
	case f.closed.Load():
		return nil
	case len(routes) >= f.cfg.maxRoutes:
		f.reportOverflow()
		return f.other
	}
	return f.add(key)
}

// add evaluates a new entry outside the lock, then inserts it into a copy
// of the map. Two requests that miss together both evaluate; one insert wins.
func (f *Flags) add(key routeKey) *entry {
	e := &entry{key: key}
	e.current.Store(f.evaluateEntry(e))

	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed.Load() {
		return nil
	}
	old := *f.routes.Load()
	if existing, ok := old[key]; ok {
		return existing
	}
	if len(old) >= f.cfg.maxRoutes {
		f.reportOverflow()
		return f.other
	}
	routes := make(map[routeKey]*entry, len(old)+1)
	maps.Copy(routes, old)
	routes[key] = e
	f.routes.Store(&routes)
	return e
}

// refresh re-reads a stale entry. Only the request that claims the entry
// evaluates; concurrent requests keep using the stale values meanwhile.
func (f *Flags) refresh(e *entry, stale *values) *values {
	if !e.refreshing.CompareAndSwap(false, true) {
		return stale
	}
	defer e.refreshing.Store(false)
	// Another request may have refreshed it between our load and the claim.
	if v := e.current.Load(); v.generation == f.generation.Load() {
		return v
	}
	v := f.evaluateEntry(e)
	e.current.Store(v)
	return v
}

// evaluateEntry reads the flags for e's route and method, without a
// targeting key and without the request's context: the values are shared by
// all requests of the pair, so nothing request-scoped (such as an OpenFeature
// transaction context) may enter them.
func (f *Flags) evaluateEntry(e *entry) *values {
	generation := f.generation.Load()
	ec := openfeature.NewTargetlessEvaluationContext(map[string]any{
		AttrRoute:  e.key.route,
		AttrMethod: e.key.method,
	})
	v := f.evaluate(context.Background(), ec, e.key.route, e.key.method, generation)
	return &v
}

// reportOverflow reports, once per Flags, that the cap was reached.
func (f *Flags) reportOverflow() {
	// Load first: this runs on every request past the cap, and even a
	// failing CompareAndSwap takes the cache line for writing.
	if f.overflowReported.Load() || !f.overflowReported.CompareAndSwap(false, true) {
		return
	}
	f.cfg.handleError(fmt.Errorf("flags: more than %d (route, method) pairs; further pairs share the flag values of route %q (is the route function returning raw paths instead of patterns?)",
		f.cfg.maxRoutes, OtherRoute))
}
