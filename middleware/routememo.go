package middleware

import (
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"unsafe"

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
	// pattern is r.Pattern as the router that named the first request set
	// it, when that router is the last to have routed it: "" if not.
	pattern string
}

// route returns RoutePattern(r). RoutePattern depends on chi's route
// patterns alone once chi has matched the request to its endpoint, and on
// r.Pattern alone when chi is not involved, so a memo of either stands for
// it.
func (m *routeMemo) route(r *http.Request) string {
	p := m.first.Load()
	if p != nil && p.pattern != "" && sameString(r.Pattern, p.pattern) {
		// The routing node that named the first request named this one:
		// ServeMux sets r.Pattern to its node's pattern string, chi to its
		// endpoint's when one pattern leads there, the same memory every
		// time. No need to walk the request context for chi's.
		return p.route
	}
	rc := chi.RouteContext(r.Context())
	if p != nil {
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
		memo := &memoizedRoute{chiPatterns: slices.Clone(rc.RoutePatterns), route: route}
		if len(rc.RoutePatterns) == 1 && r.Pattern == rc.RoutePattern() {
			// chi routed the request last, by a single pattern: r.Pattern
			// is that pattern's own string, which a longer chain of
			// patterns, joined anew, never is.
			memo.pattern = r.Pattern
		}
		m.first.CompareAndSwap(nil, memo)
	case rc == nil && r.Pattern != "":
		m.first.CompareAndSwap(nil, &memoizedRoute{muxPattern: r.Pattern, route: route, pattern: r.Pattern})
	}
	return route
}

// sameString reports whether a and b are the same string in memory, not
// merely equal: the same pointer and length.
func sameString(a, b string) bool {
	return len(a) == len(b) && unsafe.StringData(a) == unsafe.StringData(b)
}
