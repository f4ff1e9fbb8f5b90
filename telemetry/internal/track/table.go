package track

import (
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/internal/routes"
	"github.com/shadowread/shadowread/telemetry/internal/label"
	"github.com/shadowread/shadowread/telemetry/internal/noise"
)

// Sources of the shadowread.noise counter.
const (
	noiseBaseline = "baseline" // a difference between two reads of the primary (A/A)
	noiseAbsorbed = "absorbed" // a field whose differences were absorbed as noise in a comparison with the shadow
)

// routeTable hands out the state of a route, at most max distinct routes plus
// the overflow route.
type routeTable struct {
	maxSignatures int
	maxFields     int
	window        time.Duration
	table         *routes.Table[Route]
}

func newRouteTable(cfg Config) *routeTable {
	t := &routeTable{maxSignatures: cfg.MaxSignatures, maxFields: cfg.MaxFields, window: cfg.Window}
	t.table = routes.New(cfg.MaxRoutes, backends.OverflowRoute, t.newRoute)
	t.table.Get(backends.OverflowRoute) // listed by all from the start
	return t
}

func (t *routeTable) newRoute(name string) *Route {
	return &Route{
		Name:             name,
		SpanName:         "shadowread.shadow " + name,
		BaselineSpanName: "shadowread.baseline " + name,
		maxSignatures:    t.maxSignatures,
		maxFields:        t.maxFields,
		window:           t.window,
		noise:            noise.NewTable(),
		BaselineAttrs:    newAttrs(attribute.String("route", name), attribute.String("source", noiseBaseline)),
		AbsorbedAttrs:    newAttrs(attribute.String("route", name), attribute.String("source", noiseAbsorbed)),
	}
}

// get returns the state of the route called name.
func (t *routeTable) get(name string) *Route {
	if name = label.Clip(name); name == "" {
		name = backends.OverflowRoute
	}
	return t.table.Get(name)
}

// all returns every route with state, the overflow route last.
func (t *routeTable) all() []*Route { return t.table.All() }

// Route is what the recorder keeps for one route: a flow per direction and
// the noise counts of its A/A pairs and comparisons. The mutex guards all
// but the names and attribute sets.
type Route struct {
	Name     string
	SpanName string // "shadowread.shadow <route>"
	// BaselineSpanName names the spans of A/A pairs: "shadowread.baseline <route>".
	BaselineSpanName string
	// The attribute sets of shadowread.noise, by source.
	BaselineAttrs, AbsorbedAttrs *Attrs

	maxSignatures int
	maxFields     int
	window        time.Duration

	mu    sync.Mutex
	flows []*Flow // one per direction seen, at most 9 (3 backend labels squared)
	noise noise.Table
	// The log limit's current window: its start and the lines logged in it.
	logWindowStart time.Time
	logsInWindow   int
}

// flow returns the state of d on r, and whether it was created just now.
// r.mu must be held.
func (r *Route) flow(d Direction) (*Flow, bool) {
	for _, f := range r.flows {
		if f.dir == d {
			return f, false
		}
	}
	f := newFlow(r.Name, d, r.maxSignatures, r.maxFields, r.window)
	r.flows = append(r.flows, f)
	return f, true
}
