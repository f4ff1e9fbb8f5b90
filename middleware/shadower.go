package middleware

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/flags"
	"github.com/shadowread/shadowread/telemetry"
)

// Shadower is the shadow-read middleware. Create one with [New], wrap read
// handlers with [Shadower.Handler] and stop it with [Shadower.Close] when
// the server shuts down. A Shadower is safe for concurrent use.
type Shadower struct {
	cfg config
	// slots bounds the shadows in flight: a shadow holds one for its whole
	// life. Close waits for shadows by draining them.
	slots  *slots
	closed atomic.Bool
	// waiting bounds the re-checks waiting on their delay; Close drains
	// them after it has closed stop to wake them.
	waiting  *slots
	stop     chan struct{}
	stopOnce sync.Once
	noise    *noiseStore   // nil: no noise baseline
	guard    *latencyGuard // nil: no latency guard
	kept     *keptRequests // nil: no requests kept for re-verification
	mounts   mountCheck
	stores   storeCheck
}

// New returns a Shadower configured by opts. Nil options are ignored. A
// Shadower that can never shadow says so (see [Shadower.Problem]).
func New(opts ...Option) *Shadower {
	cfg := newConfig(opts)
	s := &Shadower{
		cfg:   cfg,
		stop:  make(chan struct{}),
		noise: newNoiseStore(cfg.noisePercent),
		guard: newLatencyGuard(cfg.guard),
		kept:  newKeptRequests(cfg.reverifySample),
	}
	s.slots = newSlots(cfg.maxConcurrent, &s.closed)
	s.waiting = newSlots(cfg.maxConcurrent, &s.closed)
	s.reportProblems()
	return s
}

// Handler wraps next, the user's read handler. Each request is routed to
// the primary backend the flags name; a sampled one also runs against the
// other backend in the background, and the two responses are compared.
// The user always receives exactly the primary's response.
func (s *Shadower) Handler(next http.Handler) http.Handler {
	if next == nil {
		panic("middleware: Handler(nil): pass the read handler to wrap")
	}
	if s.cfg.shadowHandler != nil {
		return &wrapped{s: s, next: next, shadow: s.cfg.shadowHandler, dynamoDB: s.cfg.shadowHandler, memo: newRouteMemo(s.cfg.route)}
	}
	return &wrapped{s: s, next: next, shadow: next, memo: newRouteMemo(s.cfg.route)}
}

// wrapped is what Handler returns: a method value rather than a closure
// behind http.HandlerFunc, one call less on every request.
type wrapped struct {
	s            *Shadower
	next, shadow http.Handler
	// dynamoDB is the handler of WithShadowHandler, which serves DynamoDB
	// whichever role it has; nil when one handler serves both stores.
	dynamoDB http.Handler
	memo     *routeMemo // nil: the route function is the user's
}

// ServeHTTP runs on every request of the service.
func (h *wrapped) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s, next, shadow := h.s, h.next, h.shadow
	ctx := r.Context()
	target, role := backends.Routing(ctx)
	if role == backends.RoleShadow {
		// Already a shadow execution of an outer Shadower: run it as it is.
		next.ServeHTTP(w, r)
		return
	}
	var route string
	if h.memo != nil {
		route = h.memo.route(r)
	} else {
		route = s.cfg.route(r)
	}
	d := s.cfg.decider.Decide(r, route)
	if d.Sampled || !d.Primary.Valid() {
		d = sanitize(d) // the shadow matters to a sampled request only
	}
	if h.dynamoDB != nil && d.Primary == backends.DynamoDB {
		// The DynamoDB handler serves users once DynamoDB is primary.
		next, shadow = h.dynamoDB, h.next
	}
	// PostgreSQL is what a context without a target routes to, so the
	// common case costs no allocation.
	if d.Primary != target {
		orig := r
		r = r.WithContext(backends.WithTarget(ctx, d.Primary))
		defer removeMultipart(r, orig)
	}
	if d.Sampled {
		s.mounts.note(route)
		d.Sampled = s.shadowsRoute(route)
	}
	if !d.Sampled || !s.cfg.methods[r.Method] || s.closed.Load() {
		if g := s.guard; g != nil {
			s.serveGuarded(g, next, shadow, w, r, route, d, false)
			return
		}
		next.ServeHTTP(w, r)
		return
	}
	if g := s.guard; g != nil {
		s.serveGuarded(g, next, shadow, w, r, route, d, true)
		return
	}
	s.serveSampled(next, shadow, w, r, route, d)
}

// sanitize turns a decision that names an unknown primary into a safe one.
func sanitize(d flags.Decision) flags.Decision {
	if !d.Primary.Valid() {
		return flags.Safe()
	}
	return d
}

// tryAcquire takes a shadow slot without waiting. It fails when every slot
// is busy or the Shadower is closing.
func (s *Shadower) tryAcquire() bool { return s.slots.try() }

func (s *Shadower) release() { s.slots.release() }

// noSlot is the outcome of a sampled request that found no free slot.
func (s *Shadower) noSlot() (telemetry.Outcome, telemetry.Reason) {
	if s.closed.Load() {
		return telemetry.Skipped, telemetry.ReasonClosed
	}
	return telemetry.Dropped, ""
}

// InFlight returns the number of shadows running now, re-checks and
// re-verifications that are reading included; re-checks waiting on their
// delay hold no slot and are not counted.
func (s *Shadower) InFlight() int { return s.slots.inUse() }

// Close stops new shadows and waits for the running ones to finish. It
// returns ctx.Err() if they outlive ctx, and nil when nothing is in
// flight, even if ctx is already done (as http.Server.Shutdown); calling
// Close again waits again, and concurrent calls wait in turn. Requests served after Close are
// handled by the primary alone.
//
// Re-checks ([WithRecheck]) still waiting on their delay do not hold Close
// up: they are given up at once and record their first verdict with
// [telemetry.RecheckDropped]. Re-checks already reading are waited for like
// shadows.
func (s *Shadower) Close(ctx context.Context) error {
	s.closed.Store(true)
	s.stopOnce.Do(func() { close(s.stop) })
	if err := s.slots.drain(ctx); err != nil {
		return err
	}
	// Re-checks past their delay find no slot now and only record their
	// event; those still waiting have been woken by stop.
	return s.waiting.drain(ctx)
}
