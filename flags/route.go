package flags

import "net/http"

// Route is the flags of one route and method, looked up once. A handler
// mounted on one route names the same route on every request: deciding
// from its Route ([Flags.DecideRoute]) skips looking the route up in the
// cache. Get one with [Flags.Route].
type Route struct {
	route, method string
	e             *entry // nil in exact mode
}

// Route returns the flags of route for requests with method, adding the
// pair to the cache as [Flags.Decide] does; nil once f is closed. Call it
// after a first Decide for the pair, which waits for its first evaluation.
func (f *Flags) Route(route, method string) *Route {
	if f.closed.Load() {
		return nil
	}
	if f.cfg.exact {
		return &Route{route: route, method: method}
	}
	e := f.entry(route, method)
	if e == nil {
		return nil
	}
	return &Route{route: route, method: method, e: e}
}

// DecideRoute returns what Decide(r, route) returns for rt's route: from
// rt's cache entry when r has rt's method, without looking the route up.
func (f *Flags) DecideRoute(r *http.Request, rt *Route) Decision {
	if rt.e == nil || r.Method != rt.method {
		return f.Decide(r, rt.route)
	}
	if f.closed.Load() {
		return f.Safe()
	}
	return f.decideCached(r, rt.e)
}
