package middleware

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel"
)

// DefaultSkipRoutes are the routes never shadowed unless [WithSkipRoutes]
// says otherwise: health checks, metrics and debug pages, the report page
// included, read no store and would only add noise to the verdicts.
var DefaultSkipRoutes = []string{"/health", "/healthz", "/livez", "/readyz", "/ping", "/metrics", "/debug/*"}

// WithRoutes shadows only the routes listed; every other route is served by
// its primary alone, unsampled. A pattern matches a route name ([RoutePattern]
// or [WithRoute]) exactly, or every name it begins when it ends in "*":
// "/products/*". Without it every route may be shadowed, but those of
// [WithSkipRoutes]. It panics without a route.
func WithRoutes(patterns ...string) Option {
	if len(patterns) == 0 {
		panic("middleware: WithRoutes needs at least one route, such as \"/products/{id}\"; leave it out to shadow every route")
	}
	m := newRouteMatcher(patterns)
	return optionFunc(func(c *config) { c.onlyRoutes = m })
}

// WithSkipRoutes sets the routes never shadowed (default [DefaultSkipRoutes]);
// patterns are as in [WithRoutes]. WithSkipRoutes() with no route shadows
// every route.
func WithSkipRoutes(patterns ...string) Option {
	m := newRouteMatcher(patterns)
	return optionFunc(func(c *config) { c.skipRoutes = m })
}

// routeMatcher matches route names against exact names and prefixes.
type routeMatcher struct {
	exact    map[string]bool
	prefixes []string
}

func newRouteMatcher(patterns []string) *routeMatcher {
	m := &routeMatcher{exact: map[string]bool{}}
	for _, p := range patterns {
		if prefix, ok := strings.CutSuffix(p, "*"); ok {
			m.prefixes = append(m.prefixes, prefix)
			continue
		}
		m.exact[p] = true
	}
	return m
}

func (m *routeMatcher) match(route string) bool {
	if m.exact[route] {
		return true
	}
	for _, p := range m.prefixes {
		if strings.HasPrefix(route, p) {
			return true
		}
	}
	return false
}

// shadowsRoute reports whether a sampled request of route may be shadowed.
func (s *Shadower) shadowsRoute(route string) bool {
	if s.cfg.onlyRoutes != nil && !s.cfg.onlyRoutes.match(route) {
		return false
	}
	return !s.cfg.skipRoutes.match(route)
}

// Past this many sampled requests, most of them unmatched means the
// middleware cannot name routes where it is mounted.
const unmatchedWarnAfter = 50

// mountCheck warns once when most sampled requests have no route name: the
// middleware wraps a router rather than its routes (a ServeMux wrapped
// whole), so every route shares the name "unmatched" and one verdict.
type mountCheck struct {
	sampled, unmatched atomic.Int64
	once               sync.Once
}

func (m *mountCheck) note(route string) {
	if m.sampled.Load() >= unmatchedWarnAfter {
		return // judged once; nothing to count on the request path
	}
	n := m.sampled.Add(1)
	if route == Unmatched {
		m.unmatched.Add(1)
	}
	if n == unmatchedWarnAfter && 2*m.unmatched.Load() > n {
		m.once.Do(func() {
			otel.Handle(fmt.Errorf("shadowread: %d of the first %d sampled requests have no route name (%q), so all their verdicts are pooled into one: "+
				"wrap each route's handler (chi: r.With(shadow.Handler).Get(...); ServeMux: mux.Handle(\"GET /products/{id}\", shadow.Handler(h))) rather than the router, or name routes with middleware.WithRoute",
				m.unmatched.Load(), n, Unmatched))
		})
	}
}
