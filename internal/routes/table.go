package routes

import (
	"sync"
	"sync/atomic"
)

// Table holds a value per route for at most max routes; further routes, and
// the route named by its overflow name (backends.OverflowRoute, given by
// the caller), share the overflow value.
// Lookups take no lock: adding a route publishes a new copy of the map,
// which costs little since routes are patterns and few.
type Table[V any] struct {
	max          int
	overflowName string
	newValue     func(route string) *V
	mu           sync.Mutex // serialises adding
	// routes is replaced, never modified; it never holds the overflow route.
	routes   atomic.Pointer[map[string]*V]
	overflow atomic.Pointer[V] // nil until first used
}

// New returns a table of at most max routes whose values newValue makes on
// a route's first use; routes past max share the value of the route named
// overflow.
func New[V any](max int, overflow string, newValue func(route string) *V) *Table[V] {
	t := &Table[V]{max: max, overflowName: overflow, newValue: newValue}
	t.routes.Store(&map[string]*V{})
	return t
}

// Find returns route's value, or nil if it has none yet. It does not fold
// route into the overflow route: a route the table has no room for has none.
func (t *Table[V]) Find(route string) *V {
	if route == t.overflowName {
		return t.overflow.Load()
	}
	return (*t.routes.Load())[route]
}

// Full reports whether max routes have their own values, so that further
// routes get the overflow value.
func (t *Table[V]) Full() bool { return len(*t.routes.Load()) >= t.max }

// Get returns route's value, adding it on first use: the overflow value
// once the table is full.
func (t *Table[V]) Get(route string) *V {
	if v := t.Find(route); v != nil {
		return v
	}
	if v := t.overflow.Load(); v != nil && t.Full() {
		return v
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if route != t.overflowName {
		old := *t.routes.Load()
		if v := old[route]; v != nil {
			return v
		}
		if len(old) < t.max {
			routes := make(map[string]*V, len(old)+1)
			for k, v := range old {
				routes[k] = v
			}
			v := t.newValue(route)
			routes[route] = v
			t.routes.Store(&routes)
			return v
		}
	}
	if v := t.overflow.Load(); v != nil {
		return v
	}
	v := t.newValue(t.overflowName)
	t.overflow.Store(v)
	return v
}

// All returns every value, in no order, the overflow value last if it has
// been used.
func (t *Table[V]) All() []*V {
	routes := *t.routes.Load()
	vs := make([]*V, 0, len(routes)+1)
	for _, v := range routes {
		vs = append(vs, v)
	}
	if v := t.overflow.Load(); v != nil {
		vs = append(vs, v)
	}
	return vs
}
