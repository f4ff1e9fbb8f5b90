package middleware

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/internal/backoff"
	"github.com/shadowread/shadowread/internal/routes"
)

// MaxGuardLevel is the deepest back-off of the latency guard: at this level
// it lets 1 in 2^10 = 1,024 sampled requests have a shadow.
const MaxGuardLevel = backoff.MaxLevel

// WithLatencyGuard makes shadows yield to users. It watches each route's
// primary latency (an exponential moving average of the primary handler's
// time, taken on every sampled request of the route and one in eight of
// the others) in two sets: requests that
// started while shadows were running, and requests that started while none
// was, its baseline. Once per window, if the first runs above tolerance
// times the baseline (tolerance 1.2: 20% slower), the guard halves the
// route's share of sampled requests that get a shadow, down to 1 in 1,024;
// otherwise it doubles it again, up to every one. It follows the throttle
// back-off ([WithThrottleBackoff]): sampled requests held back are served by
// the primary alone and reported as dropped with reason latency_guard.
// [Shadower.LatencyGuardShare] gives a route's current share.
//
// A window without requests beside shadows counts as quiet. A request that
// is not sampled pays one random draw, and one in eight of them two clock
// readings and an atomic update; none allocates or takes a lock. Without
// the option the cost is nothing.
// It panics unless tolerance > 1 and window > 0.
func WithLatencyGuard(tolerance float64, window time.Duration) Option {
	if math.IsNaN(tolerance) || tolerance <= 1 {
		panic(fmt.Sprintf("middleware: WithLatencyGuard(%v, %v): the tolerance is a ratio above 1, such as 1.2 for a primary 20%% slower beside shadows", tolerance, window))
	}
	if window <= 0 {
		panic(fmt.Sprintf("middleware: WithLatencyGuard(%v, %v): the window must be positive, such as time.Second", tolerance, window))
	}
	return optionFunc(func(c *config) { c.guard = &guardConfig{tolerance: tolerance, window: window} })
}

type guardConfig struct {
	tolerance float64
	window    time.Duration
}

// latencyGuard holds the latency figures and back-off level per route.
type latencyGuard struct {
	guardConfig
	origin time.Time // the monotonic clock's zero for step times
	routes *routes.Table[routeLatency]
}

// routeLatency is one route's figures. The averages are float64 bits of
// nanoseconds, 0 before the first observation.
type routeLatency struct {
	quiet, loaded atomic.Uint64
	// loadedSeen counts loaded observations since the last step.
	loadedSeen atomic.Int64
	// state packs the level (low 8 bits) and the time of the last step
	// (the rest, in nanoseconds since origin).
	state atomic.Int64
}

func newLatencyGuard(c *guardConfig) *latencyGuard {
	if c == nil {
		return nil
	}
	g := &latencyGuard{guardConfig: *c, origin: time.Now()}
	g.routes = routes.New(backends.DefaultMaxRoutes, backends.OverflowRoute, func(string) *routeLatency {
		rl := &routeLatency{}
		rl.state.Store(packGuard(0, g.now()))
		return rl
	})
	return g
}

// LatencyGuardShare returns the share (0 to 1) of route's sampled requests
// that the latency guard lets have a shadow now: 1 without
// [WithLatencyGuard] or before the route's first request, and 1/2^level
// while it backs off. Routes beyond [backends.DefaultMaxRoutes] share the
// figures of [backends.OverflowRoute].
func (s *Shadower) LatencyGuardShare(route string) float64 {
	g := s.guard
	if g == nil {
		return 1
	}
	rl := g.routes.Find(route)
	if rl == nil {
		if rl = g.routes.Find(backends.OverflowRoute); rl == nil || !g.routes.Full() {
			return 1
		}
	}
	level, _ := unpackGuard(rl.state.Load())
	return level.Share()
}

func (g *latencyGuard) now() time.Duration { return time.Since(g.origin) }

// observe adds one primary handler time of route; loaded says whether
// shadows were running when it started.
func (g *latencyGuard) observe(route string, loaded bool, d time.Duration) {
	rl := g.routes.Get(route)
	if loaded {
		addAverage(&rl.loaded, d)
		rl.loadedSeen.Add(1)
		return
	}
	addAverage(&rl.quiet, d)
}

// admit reports whether a sampled request of route may have a shadow,
// stepping the route's level first when a window has passed.
func (g *latencyGuard) admit(route string) bool {
	rl := g.routes.Get(route)
	st := rl.state.Load()
	level, stepped := unpackGuard(st)
	if now := g.now(); now-stepped >= g.window {
		level = g.step(rl, level)
		// One request steps a window; a lost race means another did.
		if !rl.state.CompareAndSwap(st, packGuard(level, now)) {
			level, _ = unpackGuard(rl.state.Load())
		}
	}
	return level.Admit()
}

// step returns the level after one window: one deeper if the primary ran
// slower beside shadows than tolerance allows, else one shallower.
func (g *latencyGuard) step(rl *routeLatency, level backoff.Level) backoff.Level {
	seen := rl.loadedSeen.Swap(0)
	quiet := math.Float64frombits(rl.quiet.Load())
	loaded := math.Float64frombits(rl.loaded.Load())
	if seen > 0 && quiet > 0 && loaded > g.tolerance*quiet {
		return level.Deeper()
	}
	return level.Shallower(1)
}

// averageWeight is the weight of one observation in a moving average.
const averageWeight = 1.0 / 16

// addAverage moves the average in a towards d.
func addAverage(a *atomic.Uint64, d time.Duration) {
	x := float64(max(d, 1))
	for {
		old := a.Load()
		next := x
		if old != 0 {
			avg := math.Float64frombits(old)
			next = avg + (x-avg)*averageWeight
		}
		if a.CompareAndSwap(old, math.Float64bits(next)) {
			return
		}
	}
}

// packGuard packs a level and a step time, kept in microseconds so that
// the 55 bits left hold centuries.
func packGuard(level backoff.Level, at time.Duration) int64 {
	return at.Microseconds()<<8 | int64(level)
}

func unpackGuard(v int64) (level backoff.Level, at time.Duration) {
	return backoff.Level(v & 0xff), time.Duration(v>>8) * time.Microsecond
}

// guardTimeOneIn is how many requests that are not sampled share one timing:
// the averages need a steady trickle of figures, not every request.
const guardTimeOneIn = 8

// serveWatched wraps serve while the latency guard watches: it times the
// primary of every shadowed request and of one in [guardTimeOneIn] of the
// others, and notes whether shadows were running when it started.
func (s *Shadower) serveWatched(g *latencyGuard, rq *request) {
	if !rq.shadowed && rand.Uint32()%guardTimeOneIn != 0 {
		s.serve(rq)
		return
	}
	// A shadow started with its own primary runs beside it.
	loaded := s.slots.inUse() > 0 || (rq.shadowed && s.cfg.start == StartWithPrimary)
	start := time.Now()
	s.serve(rq)
	g.observe(rq.route, loaded, time.Since(start))
}
