package middleware

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
)

// Unmatched is the route name of requests whose route is not known.
const Unmatched = "unmatched"

// RoutePattern names a request's route: the full chi route pattern when chi
// routed the request, else the http.ServeMux pattern without its method,
// else [Unmatched].
//
// Mounted with chi's r.With or inside a route group, the pattern is already
// known and costs nothing. Mounted with r.Use on the root router or on a
// sub-router (r.Route, r.Mount), chi has not routed the request to its
// endpoint yet, so the full pattern is looked up from the root router,
// through its sub-routers: "/api/products/{id}", never the mount's
// "/api/*". An http.ServeMux mounted in chi gives its own pattern below
// the mount point, when the middleware wraps the ServeMux's handlers.
func RoutePattern(r *http.Request) string {
	rc := chi.RouteContext(r.Context())
	if rc == nil {
		return serveMuxPattern(r, "")
	}
	pattern := rc.RoutePattern()
	if len(rc.RoutePatterns) == 0 || strings.HasSuffix(pattern, "/*") {
		// Not routed to its endpoint yet, or only to a mount point.
		if rc.Routes != nil {
			// The root router finds the route through its sub-routers. The
			// path may have lost its prefix (http.StripPrefix): a route found
			// outside the mount point already known is not this request's.
			p := rc.Routes.Find(chi.NewRouteContext(), r.Method, routePath(r))
			if p != "" && strings.HasPrefix(p, strings.TrimSuffix(pattern, "*")) {
				pattern = p
			}
		}
	}
	if prefix, mounted := strings.CutSuffix(pattern, "/*"); mounted && r.Pattern != "" {
		// A handler chi does not know of, such as an http.ServeMux, routed
		// the rest of the path.
		return serveMuxPattern(r, prefix)
	}
	if pattern == "" {
		return serveMuxPattern(r, "")
	}
	return pattern
}

// serveMuxPattern returns the ServeMux pattern of r without its method,
// below prefix unless it already starts with it, or Unmatched.
func serveMuxPattern(r *http.Request, prefix string) string {
	p := r.Pattern
	if p == "" {
		return Unmatched
	}
	// ServeMux patterns may start with a method: "GET /products/{id}".
	if i := strings.IndexByte(p, ' '); i >= 0 {
		p = strings.TrimLeft(p[i:], " ")
	}
	if prefix != "" && p != prefix && !strings.HasPrefix(p, prefix+"/") {
		p = prefix + p
	}
	return p
}

func routePath(r *http.Request) string {
	if r.URL.RawPath != "" {
		return r.URL.RawPath
	}
	return r.URL.Path
}
