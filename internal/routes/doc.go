// Package routes is the one bounded per-route table of shadowread: state
// kept per route for at most a fixed number of routes, further routes
// sharing the state of backends.OverflowRoute, so a route function that
// returns raw paths cannot grow memory without bound.
package routes
