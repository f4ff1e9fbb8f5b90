package middleware

import (
	"net/http"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/go-chi/chi/v5"
)

// routeMemo remembers, for one wrapped handler, the route name that
// [RoutePattern] gave for the first request a router had already matched:
// the chi route patterns, or the http.ServeMux pattern. A handler mounted on
// one route sees the same patterns on every request, and comparing them
// costs a fraction of naming the route again. Requests routed otherwise are
// named by RoutePattern as before; the memo never changes once set, so it
// costs no allocation and no write after the first request. Handler gives
// a memo only without [WithRoute]: only RoutePattern's inputs are known.
type routeMemo struct {
	first atomic.Pointer[memoizedRoute]
}

// memoizedRoute is the route name of one set of patterns. It is immutable.
type memoizedRoute struct {
	chiPatterns []string // chi's RoutePatterns; nil for a ServeMux pattern
	muxPattern  string
	route       string
}

// route returns RoutePattern(r). RoutePattern depends on chi's route
// patterns alone once chi has matched the request to its endpoint, and on
// r.Pattern alone when chi is not involved, so a memo of either stands for
// it.
func (m *routeMemo) route(r *http.Request) string {
	rc := chi.RouteContext(r.Context())
	if p := m.first.Load(); p != nil {
		switch {
		case rc != nil && p.chiPatterns != nil && slices.Equal(rc.RoutePatterns, p.chiPatterns):
			return p.route
		case rc == nil && p.chiPatterns == nil && r.Pattern == p.muxPattern:
			return p.route
		}
		return RoutePattern(r)
	}
	route := RoutePattern(r)
	switch {
	case rc != nil && len(rc.RoutePatterns) > 0 && !strings.HasSuffix(rc.RoutePatterns[len(rc.RoutePatterns)-1], "/*"):
		// Only a pattern chi has matched to its endpoint: below a mount
		// point ("/api/*") the name depends on the path. A copy: chi reuses
		// the slice for the next request.
		m.first.CompareAndSwap(nil, &memoizedRoute{chiPatterns: slices.Clone(rc.RoutePatterns), route: route})
	case rc == nil && r.Pattern != "":
		m.first.CompareAndSwap(nil, &memoizedRoute{muxPattern: r.Pattern, route: route})
	}
	return route
}
