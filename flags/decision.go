package flags

import (
	"net/http"

	"github.com/shadowread/shadowread/backends"
)

// Decision is what the flags say about one request: which backend serves the
// user, which one runs in the background, and whether this request is shadowed.
type Decision struct {
	Primary backends.Name
	Shadow  backends.Name
	Sampled bool
}

// Safe returns the decision taken whenever the flags cannot be read:
// PostgreSQL serves the user and nothing is shadowed.
func Safe() Decision {
	return Decision{Primary: backends.Postgres, Shadow: backends.DynamoDB}
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
