package middleware

import (
	"context"
	"sync/atomic"
)

// behindKey carries a shadow run's ShadowBehind flag.
type behindKey struct{}

// ShadowBehind tells the middleware, from a handler's shadow run, that the
// store it read is known to be behind for the entity it read: a write to
// it is still waiting in a repair log, say. The pair is then
// [telemetry.Skipped] with [telemetry.ReasonShadowBehind]: not a failure,
// since this request itself holds the evidence that the difference is lag,
// but not a verdict either, so it lowers the route's coverage. Outside a
// shadow run (the user's primary run, or no Shadower) it does nothing.
//
//	if pending, _ := repairLog.Pending(ctx, id); pending {
//		middleware.ShadowBehind(ctx)
//	}
func ShadowBehind(ctx context.Context) {
	if b, ok := ctx.Value(behindKey{}).(*atomic.Bool); ok {
		b.Store(true)
	}
}
