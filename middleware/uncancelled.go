package middleware

import "context"

// uncancelledKey marks the context uncancelled returns; nothing reads it.
type uncancelledKey struct{}

// uncancelled returns ctx without its cancellation, as context.WithoutCancel
// does, under a value of its own. context.WithoutCancel returns a struct
// value: each lookup made on it directly converts it to an interface, one
// allocation per lookup, and a recorder looks up the span and its own
// values several times per event (OpenTelemetry's SDK once per
// measurement). A lookup that starts at the value above walks past it
// without one. Lookups, Cause and deadlines are those of WithoutCancel.
func uncancelled(ctx context.Context) context.Context {
	return context.WithValue(context.WithoutCancel(ctx), uncancelledKey{}, nil)
}
