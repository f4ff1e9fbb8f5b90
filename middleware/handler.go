package middleware

import (
	"context"
	"net/http"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/flags"
	"github.com/shadowread/shadowread/internal/rerouted"
	"github.com/shadowread/shadowread/internal/safe"
	"github.com/shadowread/shadowread/telemetry"
)

// Handler wraps next, the user's read handler. Each request is routed to
// the primary backend the flags name; a sampled one also runs against the
// other backend in the background, and the two responses are compared.
// The user always receives exactly the primary's response.
func (s *Shadower) Handler(next http.Handler) http.Handler {
	if next == nil {
		panic("middleware: Handler(nil): pass the read handler to wrap")
	}
	h := &wrapped{s: s, next: next, shadow: next}
	if s.cfg.shadowHandler != nil {
		h.shadow, h.dynamoDB = s.cfg.shadowHandler, s.cfg.shadowHandler
	}
	if s.cfg.route == nil {
		h.memo = &routeMemo{}
	}
	h.flags, _ = s.cfg.decider.(*flags.Flags)
	return h
}

// flagRoute is the flags of the route a wrapped handler named first.
type flagRoute struct {
	route string
	flags *flags.Route
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
	// flags is the decider when it is a *flags.Flags, which looks routes
	// up once, and flagRoute the flags of the first route named, set once.
	flags     *flags.Flags
	flagRoute atomic.Pointer[flagRoute]
}

// request is one request on its way through the Shadower: what each step
// of the user's path needs, settled once in ServeHTTP. It lives on the
// stack of ServeHTTP: nothing that outlives the request keeps it.
type request struct {
	w http.ResponseWriter
	r *http.Request // routed to the primary
	// primary serves the user; shadow reads the other store.
	primary, shadow http.Handler
	route           string
	d               flags.Decision
	// shadowed: sampled (d.Sampled), and the method, the route and the
	// Shadower's state let it have a shadow.
	shadowed bool
}

// ServeHTTP runs on every request of the service.
func (h *wrapped) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.s.guard != nil || rerouted.Ever() {
		h.serveRouted(w, r)
		return
	}
	// No context of the process routes to a primary other than PostgreSQL:
	// r's routes to PostgreSQL as primary, or is a shadow execution, which
	// is served as it came too. Most requests, not sampled and served by
	// PostgreSQL, need not look their target up in the context chain.
	route := h.route(r)
	d := h.decide(r, route)
	if !d.Sampled && d.Primary == backends.Postgres {
		h.next.ServeHTTP(w, r)
		return
	}
	target, role := backends.Routing(r.Context())
	if role == backends.RoleShadow {
		h.next.ServeHTTP(w, r)
		return
	}
	h.serveDecided(w, r, route, d, target)
}

// serveRouted serves r knowing its target first: a shadow execution of an
// outer Shadower runs as it is, and a request not sampled and already
// routed to its primary is served as it came.
func (h *wrapped) serveRouted(w http.ResponseWriter, r *http.Request) {
	target, role := backends.Routing(r.Context())
	if role == backends.RoleShadow {
		// Already a shadow execution of an outer Shadower: run it as it is.
		h.next.ServeHTTP(w, r)
		return
	}
	route := h.route(r)
	d := h.decide(r, route)
	if !d.Sampled && d.Primary == target && h.s.guard == nil && (h.dynamoDB == nil || target != backends.DynamoDB) && target.Valid() {
		// Not sampled, already routed to its primary, nothing to time.
		h.next.ServeHTTP(w, r)
		return
	}
	h.serveDecided(w, r, route, d, target)
}

// route names r's route: by the memo, or by the user's route function.
func (h *wrapped) route(r *http.Request) string {
	if h.memo != nil {
		return h.memo.route(r)
	}
	return h.s.cfg.route(r)
}

// decide returns the flags' decision for r, of route. The route memo
// names a handler's route with the same string every time: the flags of
// that string are looked up once.
func (h *wrapped) decide(r *http.Request, route string) flags.Decision {
	if h.flags == nil {
		return h.s.cfg.decider.Decide(r, route)
	}
	fr := h.flagRoute.Load()
	if fr != nil && sameString(fr.route, route) {
		return h.flags.DecideRoute(r, fr.flags)
	}
	d := h.flags.Decide(r, route)
	if fr == nil {
		if rt := h.flags.Route(route, r.Method); rt != nil {
			h.flagRoute.CompareAndSwap(nil, &flagRoute{route: route, flags: rt})
		}
	}
	return d
}

// serveDecided serves a request whose route and decision are known: it
// routes the request to its primary and, if sampled, gives it its shadow.
func (h *wrapped) serveDecided(w http.ResponseWriter, r *http.Request, route string, d flags.Decision, target backends.Name) {
	s := h.s
	rq := request{w: w, r: r, primary: h.next, shadow: h.shadow, route: route, d: d}
	if rq.d.Sampled || !rq.d.Primary.Valid() {
		rq.d = sanitize(rq.d) // the shadow matters to a sampled request only
	}
	if h.dynamoDB != nil && rq.d.Primary == backends.DynamoDB {
		// The DynamoDB handler serves users once DynamoDB is primary.
		rq.primary, rq.shadow = h.dynamoDB, h.next
	}
	// PostgreSQL is what a context without a target routes to, so the
	// common case costs no allocation.
	if rq.d.Primary != target {
		rq.r = r.WithContext(backends.WithTarget(r.Context(), rq.d.Primary))
		defer removeMultipart(rq.r, r)
	}
	if rq.d.Sampled {
		s.mounts.note(rq.route)
		rq.shadowed = s.shadowsRoute(rq.route) && s.cfg.methods[r.Method] && !s.closed.Load()
	}
	if g := s.guard; g != nil {
		s.serveWatched(g, &rq) // serve, timed for the latency guard
		return
	}
	s.serve(&rq)
}

// serve serves the user from the primary, and gives a shadowed request its
// shadow.
func (s *Shadower) serve(rq *request) {
	if !rq.shadowed {
		rq.primary.ServeHTTP(rq.w, rq.r)
		return
	}
	s.serveSampled(rq)
}

// sanitize turns a decision that names an unknown primary into a safe one.
func sanitize(d flags.Decision) flags.Decision {
	if !d.Primary.Valid() {
		return flags.Safe()
	}
	return d
}

// serveSampled serves a sampled request: the primary for the user, and a
// shadow in the background if a slot is free. The shadow's job carries
// the request on from here (shadow.go): it runs the shadow, compares and
// records the event.
func (s *Shadower) serveSampled(rq *request) {
	r := rq.r
	ev := telemetry.Event{
		Route:       rq.route,
		Method:      r.Method,
		Primary:     rq.d.Primary,
		Shadow:      rq.d.Primary.Other(),
		RequestSpan: trace.SpanContextFromContext(r.Context()),
		EntityKey:   s.entityKey(r),
	}
	if g := s.guard; g != nil && !g.admit(rq.route) {
		ev.Outcome, ev.Reason = telemetry.Dropped, telemetry.ReasonLatencyGuard
		s.serveAlone(rq, ev)
		return
	}
	if t := s.cfg.throttle; t != nil && t.Store() == ev.Shadow && !t.Admit() {
		ev.Outcome, ev.Reason = telemetry.Dropped, telemetry.ReasonThrottled
		s.serveAlone(rq, ev)
		return
	}
	job := &shadowJob{s: s, handler: rq.shadow, primaryHandler: rq.primary, ev: ev}
	s.wantsAA(job)
	if err := job.snapshotRequest(r, s.cfg.shadowContext); err != nil {
		ev.Outcome, ev.Reason, ev.Err = telemetry.ShadowError, telemetry.ReasonPanic, err
		s.serveAlone(rq, ev)
		return
	}
	pr, body := teeBody(r, s.cfg.maxBodyBytes)
	if pr != r {
		defer removeMultipart(pr, r)
		rq.r = pr // the primary reads its body through the tee
	}
	switch {
	case s.cfg.start == StartAfterPrimary:
		s.startAfter(r.Context(), s.runPrimary(rq, body, job, s.recordFailed(r.Context(), ev)), body, job)
	case body == nil:
		s.serveWithShadow(rq, job)
	default:
		s.serveWithBodyShadow(rq, body, job)
	}
}

// startAfter starts the shadow once the primary has returned, if the
// primary can be compared and a slot is free, and records why not
// otherwise.
func (s *Shadower) startAfter(ctx context.Context, p primaryResult, body *requestBody, job *shadowJob) {
	ev := job.ev
	ev.Start, ev.PrimaryDuration = p.start, p.duration
	if p.skip != "" {
		p.release()
		ev.Outcome, ev.Reason, ev.Err = telemetry.Skipped, p.skip, p.err
		s.recordSafely(ctx, ev)
		return
	}
	if !s.tryAcquire() {
		p.release()
		ev.Outcome, ev.Reason = s.noSlot()
		s.recordSafely(ctx, ev)
		return
	}
	if body != nil {
		setBody(job.req, body.bytes())
	}
	job.primary = p
	s.workers.start(job)
}

// serveWithShadow starts the shadow first and then serves the primary; the
// shadow waits for the primary's result before comparing, but no longer
// than its own timeout.
func (s *Shadower) serveWithShadow(rq *request, job *shadowJob) {
	if !s.tryAcquire() {
		ev := job.ev
		ev.Outcome, ev.Reason = s.noSlot()
		s.serveAlone(rq, ev)
		return
	}
	// Buffered: the primary never waits for a shadow that has given up.
	results := make(chan primaryResult, 1)
	job.primaryDone = results
	s.workers.start(job)
	results <- s.runPrimary(rq, nil, job, func(p primaryResult) { results <- p })
}

// serveWithBodyShadow serves a request with a body in StartWithPrimary
// mode. The shadow replays the body the primary read, so it starts as soon
// as the primary has read its body whole, while the primary goes on; a
// primary that returns first is handled as in StartAfterPrimary mode.
func (s *Shadower) serveWithBodyShadow(rq *request, body *requestBody, job *shadowJob) {
	const (
		notYet = iota
		started
		noSlot
	)
	launch := notYet // written under the body's lock, read after disarm
	results := make(chan primaryResult, 1)
	body.whenRead(func(data []byte) {
		if !s.tryAcquire() {
			launch = noSlot
			return
		}
		setBody(job.req, data)
		job.primaryDone = results
		launch = started
		s.workers.start(job)
	})
	ctx := rq.r.Context()
	recordFailed := s.recordFailed(ctx, job.ev)
	p := s.runPrimary(rq, body, job, func(p primaryResult) {
		body.disarm()
		if launch == started {
			results <- p
			return
		}
		recordFailed(p)
	})
	body.disarm()
	switch launch {
	case started:
		results <- p
	case noSlot:
		p.release()
		ev := job.ev
		ev.Outcome, ev.Reason = s.noSlot()
		ev.Start, ev.PrimaryDuration = p.start, p.duration
		s.recordSafely(ctx, ev)
	default:
		s.startAfter(ctx, p, body, job)
	}
}

// recordFailed returns the function that records ev as skipped when its
// primary panics and no shadow has started.
func (s *Shadower) recordFailed(ctx context.Context, ev telemetry.Event) func(primaryResult) {
	return func(p primaryResult) {
		ev.Outcome, ev.Reason, ev.Start, ev.PrimaryDuration = telemetry.Skipped, p.skip, p.start, p.duration
		s.recordSafely(ctx, ev)
	}
}

// runPrimary serves the user through job's capture and returns what the shadow
// needs to know of the primary; body is the request body it reads (nil if
// none). If the primary panics (or exits its goroutine), failed gets the
// result instead and the panic goes on to the user's recoverer.
func (s *Shadower) runPrimary(rq *request, body *requestBody, job *shadowJob, failed func(primaryResult)) primaryResult {
	r := rq.r
	capture := &job.capture
	capture.init(rq.w, r.Method, s.cfg.maxBodyBytes)
	start := time.Now()
	done := false
	defer job.primaryHasReturned()
	defer func() {
		if !done {
			failed(primaryResult{start: start, duration: time.Since(start), skip: telemetry.ReasonPrimaryFailed})
		}
	}()
	rq.primary.ServeHTTP(capture.w, r)
	done = true
	return capture.result(r.Context(), start, body)
}

// serveAlone serves a sampled request that gets no shadow and records ev,
// whose outcome says why; it records ev also when the primary panics, and
// lets the panic go on.
func (s *Shadower) serveAlone(rq *request, ev telemetry.Event) {
	defer s.recordSafely(rq.r.Context(), ev)
	rq.primary.ServeHTTP(rq.w, rq.r)
}

// recordSafely reports an event from the request's goroutine. A panicking
// recorder must not reach the user, so it is recovered and handed to otel.
func (s *Shadower) recordSafely(ctx context.Context, ev telemetry.Event) {
	defer safe.Report("shadowread: recorder")
	s.cfg.recorder.Record(uncancelled(ctx), ev)
}
