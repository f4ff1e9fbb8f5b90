package telemetry

import (
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/internal/routes"
)

// routeTable hands out the state of a route, at most max distinct routes plus
// the overflow route.
type routeTable struct {
	maxSignatures int
	window        time.Duration
	table         *routes.Table[route]
}

func newRouteTable(cfg config) *routeTable {
	t := &routeTable{maxSignatures: cfg.maxSignatures, window: cfg.window}
	t.table = routes.New(cfg.maxRoutes, t.newRoute)
	t.table.Get(backends.OverflowRoute) // listed by all from the start
	return t
}

func (t *routeTable) newRoute(name string) *route {
	return &route{
		name:             name,
		spanName:         "shadowread.shadow " + name,
		baselineSpanName: "shadowread.baseline " + name,
		maxSignatures:    t.maxSignatures,
		window:           t.window,
		noise:            newNoiseTable(),
		baselineAttrs:    metric.WithAttributeSet(attribute.NewSet(attribute.String("route", name), attribute.String("source", noiseBaseline))),
		absorbedAttrs:    metric.WithAttributeSet(attribute.NewSet(attribute.String("route", name), attribute.String("source", noiseAbsorbed))),
	}
}

// get returns the state of the route called name.
func (t *routeTable) get(name string) *route {
	if name = clip(name); name == "" {
		name = backends.OverflowRoute
	}
	return t.table.Get(name)
}

// all returns every route with state, the overflow route last.
func (t *routeTable) all() []*route { return t.table.All() }

// route is what the recorder keeps for one route: a flow per direction and
// the noise counts of its A/A pairs and comparisons. The mutex guards all but the names.
type route struct {
	name     string
	spanName string // "shadowread.shadow <route>"
	// baselineSpanName names the spans of A/A pairs: "shadowread.baseline <route>".
	baselineSpanName string
	maxSignatures    int
	window           time.Duration
	// The attribute sets of shadowread.noise, by source.
	baselineAttrs, absorbedAttrs metric.MeasurementOption

	mu    sync.Mutex
	flows []*flow // one per direction seen, at most 9 (3 backend labels squared)
	noise noiseTable
	// The log limit's current window: its start and the lines logged in it.
	logWindowStart time.Time
	logsInWindow   int
}

// flow returns the state of d on r, and whether it was created just now.
// r.mu must be held.
func (r *route) flow(d direction) (*flow, bool) {
	for _, f := range r.flows {
		if f.dir == d {
			return f, false
		}
	}
	f := newFlow(r.name, d, r.maxSignatures, r.window)
	r.flows = append(r.flows, f)
	return f, true
}
