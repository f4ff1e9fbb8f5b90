package middleware

import (
	"fmt"
	"sync"

	"go.opentelemetry.io/otel"
)

// After this many shadow runs of a route in which the handler never asked
// which store to use, the route is judged to read no store.
const storeCheckRuns = 20

// storeCheckRoutes bounds the routes judged: past it, new routes are not
// tracked (the route names are bounded elsewhere too; this keeps the table
// small whatever the router does).
const storeCheckRoutes = 256

// storeCheck warns once per route when a shadowed handler never asks
// backends which store to use ([backends.Router.For], [backends.Target]):
// a health check or a static page mounted under the middleware. Its
// comparisons are PostgreSQL against PostgreSQL, matches that count towards
// readiness without testing the migration.
type storeCheck struct {
	mu sync.Mutex
	// runs counts a route's shadow runs without a store asked; judged
	// routes hold -1 and are never counted again.
	runs map[string]int
}

// note records one finished shadow run of route.
func (c *storeCheck) note(route string, asked bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, seen := c.runs[route]
	switch {
	case n < 0:
		return
	case !seen && len(c.runs) >= storeCheckRoutes:
		return
	case c.runs == nil:
		c.runs = map[string]int{}
	}
	if asked {
		c.runs[route] = -1
		return
	}
	n++
	if n < storeCheckRuns {
		c.runs[route] = n
		return
	}
	c.runs[route] = -1
	otel.Handle(fmt.Errorf("shadowread: route %q was shadowed %d times and its handler never asked which store to use (backends.Router.For, backends.Target), "+
		"so its comparisons test no store: leave it out with middleware.WithSkipRoutes(%q), or route its reads through a backends.Router", route, n, route))
}
