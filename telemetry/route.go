package telemetry

import (
	"maps"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
)

// OverflowRoute is the route under which events are recorded once the number
// of distinct routes has reached the limit ([WithMaxRoutes]), and events that
// name no route.
const OverflowRoute = "other"

// routeTable hands out the state of a route, at most max distinct routes plus
// the overflow route.
type routeTable struct {
	max           int
	maxSignatures int
	mu            sync.RWMutex
	routes        map[string]*route
	overflow      *route
}

func newRouteTable(max, maxSignatures int) *routeTable {
	return &routeTable{
		max:           max,
		maxSignatures: maxSignatures,
		routes:        make(map[string]*route),
		overflow:      newRoute(OverflowRoute, maxSignatures),
	}
}

// get returns the state of the route called name.
func (t *routeTable) get(name string) *route {
	name = clip(name)
	if name == "" || name == OverflowRoute {
		return t.overflow
	}
	t.mu.RLock()
	r := t.routes[name]
	t.mu.RUnlock()
	if r != nil {
		return r
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if r := t.routes[name]; r != nil {
		return r
	}
	if len(t.routes) >= t.max {
		return t.overflow
	}
	r = newRoute(name, t.maxSignatures)
	t.routes[name] = r
	return r
}

// all returns every route with state, the overflow route last.
func (t *routeTable) all() []*route {
	t.mu.RLock()
	defer t.mu.RUnlock()
	rs := make([]*route, 0, len(t.routes)+1)
	for _, r := range t.routes {
		rs = append(rs, r)
	}
	return append(rs, t.overflow)
}

// route is what the recorder keeps for one route. The mutex guards all but
// the names.
type route struct {
	name     string
	spanName string                   // "shadowread.shadow <route>"
	attrs    metric.MeasurementOption // the route attribute alone

	mu   sync.Mutex
	sets map[attrKey]metric.MeasurementOption
	// outcomes counts events by outcome label.
	outcomes map[Outcome]uint64
	// primary and shadow are the backends of the latest event.
	primary, shadow               backends.Name
	primaryLatency, shadowLatency latencyHistogram
	exemplars                     exemplars
	// The log limit's current window: its start and the lines logged in it.
	logWindowStart time.Time
	logsInWindow   int
}

func newRoute(name string, maxSignatures int) *route {
	return &route{
		name:      name,
		spanName:  "shadowread.shadow " + name,
		attrs:     metric.WithAttributeSet(attribute.NewSet(attribute.String("route", name))),
		sets:      make(map[attrKey]metric.MeasurementOption),
		outcomes:  make(map[Outcome]uint64),
		exemplars: newExemplars(maxSignatures),
	}
}

// attrKey names one attribute set of a route besides the route alone; empty
// fields are left out.
type attrKey struct {
	outcome Outcome
	reason  string
	backend backends.Name
	role    backends.Role
	kind    comparator.Kind
}

// measurement returns the pre-built attribute set for k. r.mu must be held.
// Building each set once keeps Record free of attribute sorting and
// allocation after a route's first events.
func (r *route) measurement(k attrKey) metric.MeasurementOption {
	if m, ok := r.sets[k]; ok {
		return m
	}
	kvs := []attribute.KeyValue{attribute.String("route", r.name)}
	if k.outcome != "" {
		kvs = append(kvs, attribute.String("outcome", string(k.outcome)))
	}
	if k.reason != "" {
		kvs = append(kvs, attribute.String("reason", k.reason))
	}
	if k.backend != "" {
		kvs = append(kvs, attribute.String("backend", string(k.backend)))
	}
	if k.role != "" {
		kvs = append(kvs, attribute.String("role", string(k.role)))
	}
	if k.kind != "" {
		kvs = append(kvs, attribute.String("kind", string(k.kind)))
	}
	m := metric.WithAttributeSet(attribute.NewSet(kvs...))
	r.sets[k] = m
	return m
}

// routeSnapshot is a copy of a route's state.
type routeSnapshot struct {
	name                          string
	events                        uint64
	outcomes                      map[Outcome]uint64
	primary, shadow               backends.Name
	primaryLatency, shadowLatency LatencySummary
	signatures                    []SignatureReport
	evictedSignatures             uint64
	evictedMismatches             uint64
}

// snapshot copies r's state, with its signatures when asked: the lock is held
// only for the copy, never for the statistics computed from it.
func (r *route) snapshot(withSignatures bool) routeSnapshot {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := routeSnapshot{
		name:              r.name,
		outcomes:          maps.Clone(r.outcomes),
		primary:           r.primary,
		shadow:            r.shadow,
		primaryLatency:    r.primaryLatency.summary(),
		shadowLatency:     r.shadowLatency.summary(),
		evictedSignatures: r.exemplars.evictedSignatures,
		evictedMismatches: r.exemplars.evictedMismatches,
	}
	for _, n := range r.outcomes {
		s.events += n
	}
	if withSignatures {
		s.signatures = r.exemplars.report()
	}
	return s
}
