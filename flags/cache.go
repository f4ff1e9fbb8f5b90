package flags

import (
	"fmt"
	"math/rand/v2"
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

// routeTable holds the cache entries in an open-addressed table, at most
// half full, keyed by a cheap hash of the route: its length and its first
// and last eight bytes, where route patterns differ. A lookup hashes the
// route once and compares the entries from there; a Go map keyed by both
// strings hashed and compared the two, at three times the cost. An entry
// whose probe would pass maxProbe slots (routes that share those bytes,
// such as raw paths differing in the middle) goes to spill, a map, so no
// lookup probes further. It is immutable once published: an insert builds
// a new table.
type routeTable struct {
	seed  uint64
	slots []*entry            // a power of two long; nil marks a free slot
	spill map[routeKey]*entry // nil until an entry spills
	pairs int                 // the (route, method) pairs held, bounded by WithMaxRoutes
}

const (
	minRouteSlots = 16 // the size of the first table
	maxProbe      = 8  // the slots a lookup compares before the spill map
)

func newRouteTable() *routeTable {
	return &routeTable{seed: rand.Uint64(), slots: make([]*entry, minRouteSlots)}
}

// hash mixes the route's length and first and last eight bytes with the
// table's seed.
func (t *routeTable) hash(route string) uint64 {
	h := t.seed ^ uint64(len(route))*fnvPrime64
	if len(route) >= 8 {
		// The multiply keeps a first half equal to the last from cancelling out.
		h = (h^le64(route[:8]))*fnvPrime64 ^ le64(route[len(route)-8:])
	} else {
		for i := 0; i < len(route); i++ {
			h = h<<8 | uint64(route[i])
		}
	}
	return fmix64(h)
}

// le64 reads the first eight bytes of s as a little-endian number.
func le64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// find returns the entry of (route, method), nil if there is none yet.
func (t *routeTable) find(route, method string) *entry {
	mask := uint64(len(t.slots) - 1)
	i := t.hash(route)
	for range maxProbe {
		e := t.slots[i&mask]
		if e == nil {
			// Slots only fill up, so a spilled entry's probe has none free.
			return nil
		}
		if e.key.route == route && e.key.method == method {
			return e
		}
		i++
	}
	return t.spill[routeKey{route, method}]
}

// with returns a copy of t that also holds e, twice as large once it would
// be more than half full.
func (t *routeTable) with(e *entry) *routeTable {
	size := len(t.slots)
	if 2*(t.pairs+1) > size {
		size *= 2
	}
	next := &routeTable{seed: t.seed, slots: make([]*entry, size), pairs: t.pairs + 1}
	for _, old := range t.slots {
		if old != nil {
			next.put(old)
		}
	}
	for _, old := range t.spill {
		next.put(old)
	}
	next.put(e)
	return next
}

// put places e in the first free slot of its probe, or in spill.
func (t *routeTable) put(e *entry) {
	mask := uint64(len(t.slots) - 1)
	i := t.hash(e.key.route)
	for range maxProbe {
		if t.slots[i&mask] == nil {
			t.slots[i&mask] = e
			return
		}
		i++
	}
	if t.spill == nil {
		t.spill = make(map[routeKey]*entry)
	}
	t.spill[e.key] = e
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
