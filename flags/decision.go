package flags

import (
	"net/http"

	"github.com/shadowread/shadowread/backends"
)

// Decision is what the flags say about one request: which backend serves the
// user and whether this request is shadowed. The shadow is always the other
// backend, Primary.Other().
type Decision struct {
	Primary backends.Name
	Sampled bool
}

// Safe returns the decision taken when the flags cannot be read and the
// fallback primary is the default, PostgreSQL: PostgreSQL serves the user
// and nothing is shadowed. [SafeFor] gives the same decision for another
// fallback primary (see [WithFallbackPrimary]).
func Safe() Decision {
	return SafeFor(backends.Postgres)
}

// SafeFor returns the safe decision with primary serving the user: nothing
// is shadowed. It is what a [Flags] built with [WithFallbackPrimary](primary)
// decides before the flags of a route have been read once, and after
// [Flags.Close].
func SafeFor(primary backends.Name) Decision {
	return Decision{Primary: primary}
}

// Decider decides per request. Decide runs on every request of the service,
// so it must be cheap, must not do I/O and must be safe for concurrent use.
type Decider interface {
	Decide(r *http.Request, route string) Decision
}

// DeciderFunc adapts a function to the [Decider] interface.
type DeciderFunc func(r *http.Request, route string) Decision

// Decide calls f(r, route).
func (f DeciderFunc) Decide(r *http.Request, route string) Decision { return f(r, route) }
