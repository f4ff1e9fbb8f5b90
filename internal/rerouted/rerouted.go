// Package rerouted records whether a context of the process has ever been
// routed to a primary other than PostgreSQL. Until one has, every request
// context routes to PostgreSQL, as primary or as a shadow, and the
// middleware can serve a request that PostgreSQL serves without looking
// its target up: the lookup walks the whole context chain of the server.
package rerouted

import "sync/atomic"

var ever atomic.Bool

// Ever reports whether [Note] has been called. Once true, it stays true.
func Ever() bool { return ever.Load() }

// Note records that a context is routed to a primary other than
// PostgreSQL. It is called before that context is returned, so any
// request that carries it sees Ever true.
func Note() {
	if !ever.Load() { // one write, not a contended one per request
		ever.Store(true)
	}
}
