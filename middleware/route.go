package middleware

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
)

// Unmatched is the route name of requests whose route is not known.
const Unmatched = "unmatched"

// RoutePattern names a request's route: the chi route pattern when chi
// routed the request, else the http.ServeMux pattern without its method,
// else [Unmatched].
//
// Mounted with chi's r.With or inside a route group, the pattern is already
// known and costs nothing. Mounted with r.Use on the root router, chi has not
// routed the request yet, so the pattern is looked up in the router first.
func RoutePattern(r *http.Request) string {
	if rc := chi.RouteContext(r.Context()); rc != nil {
		if len(rc.RoutePatterns) > 0 {
			return rc.RoutePattern()
		}
		if rc.Routes != nil {
			path := r.URL.RawPath
			if path == "" {
				path = r.URL.Path
			}
			if p := rc.Routes.Find(chi.NewRouteContext(), r.Method, path); p != "" {
				return p
			}
		}
	}
	if p := r.Pattern; p != "" {
		// ServeMux patterns may start with a method: "GET /products/{id}".
		if i := strings.IndexByte(p, ' '); i >= 0 {
			p = strings.TrimLeft(p[i:], " ")
		}
		return p
	}
	return Unmatched
}
