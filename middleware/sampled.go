package middleware

import (
	"context"
	"net/http"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/shadowread/shadowread/flags"
	"github.com/shadowread/shadowread/internal/safe"
	"github.com/shadowread/shadowread/telemetry"
)

// serveSampled serves a sampled request: the primary for the user, and a
// shadow in the background if a slot is free.
func (s *Shadower) serveSampled(next, shadow http.Handler, w http.ResponseWriter, r *http.Request, route string, d flags.Decision) {
	ev := telemetry.Event{
		Route:       route,
		Method:      r.Method,
		Primary:     d.Primary,
		Shadow:      d.Primary.Other(),
		RequestSpan: trace.SpanContextFromContext(r.Context()),
		EntityKey:   s.entityKey(r),
	}
	if g := s.guard; g != nil && !g.admit(route) {
		ev.Outcome, ev.Reason = telemetry.Dropped, telemetry.ReasonLatencyGuard
		s.serveAlone(next, w, r, ev)
		return
	}
	if t := s.cfg.throttle; t != nil && t.Store() == ev.Shadow && !t.Admit() {
		ev.Outcome, ev.Reason = telemetry.Dropped, telemetry.ReasonThrottled
		s.serveAlone(next, w, r, ev)
		return
	}
	job := &shadowJob{s: s, handler: shadow, primaryHandler: next, ev: ev}
	s.wantsAA(job)
	if err := job.snapshotRequest(r, s.cfg.shadowContext); err != nil {
		ev.Outcome, ev.Reason, ev.Err = telemetry.ShadowError, telemetry.ReasonPanic, err
		s.serveAlone(next, w, r, ev)
		return
	}
	pr, body := teeBody(r, s.cfg.maxBodyBytes)
	if pr != r {
		defer removeMultipart(pr, r)
	}
	switch {
	case s.cfg.start == StartAfterPrimary:
		s.startAfter(r.Context(), s.runPrimary(next, w, pr, body, job, s.recordFailed(r.Context(), ev)), body, job)
	case body == nil:
		s.serveWithShadow(next, w, pr, job)
	default:
		s.serveWithBodyShadow(next, w, pr, body, job)
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
	go job.run()
}

// serveWithShadow starts the shadow first and then serves the primary; the
// shadow waits for the primary's result before comparing, but no longer
// than its own timeout.
func (s *Shadower) serveWithShadow(next http.Handler, w http.ResponseWriter, r *http.Request, job *shadowJob) {
	if !s.tryAcquire() {
		ev := job.ev
		ev.Outcome, ev.Reason = s.noSlot()
		s.serveAlone(next, w, r, ev)
		return
	}
	// Buffered: the primary never waits for a shadow that has given up.
	results := make(chan primaryResult, 1)
	job.primaryDone = results
	go job.run()
	results <- s.runPrimary(next, w, r, nil, job, func(p primaryResult) { results <- p })
}

// serveWithBodyShadow serves a request with a body in StartWithPrimary
// mode. The shadow replays the body the primary read, so it starts as soon
// as the primary has read its body whole, while the primary goes on; a
// primary that returns first is handled as in StartAfterPrimary mode.
func (s *Shadower) serveWithBodyShadow(next http.Handler, w http.ResponseWriter, r *http.Request, body *requestBody, job *shadowJob) {
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
		go job.run()
	})
	recordFailed := s.recordFailed(r.Context(), job.ev)
	p := s.runPrimary(next, w, r, body, job, func(p primaryResult) {
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
		s.recordSafely(r.Context(), ev)
	default:
		s.startAfter(r.Context(), p, body, job)
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
func (s *Shadower) runPrimary(next http.Handler, w http.ResponseWriter, r *http.Request, body *requestBody, job *shadowJob, failed func(primaryResult)) primaryResult {
	capture := &job.capture
	capture.init(w, r.Method, s.cfg.maxBodyBytes)
	start := time.Now()
	done := false
	defer job.primaryHasReturned()
	defer func() {
		if !done {
			failed(primaryResult{start: start, duration: time.Since(start), skip: telemetry.ReasonPrimaryFailed})
		}
	}()
	next.ServeHTTP(capture.w, r)
	done = true
	return capture.result(r.Context(), start, body)
}

// serveAlone serves a sampled request that gets no shadow and records ev,
// whose outcome says why; it records ev also when the primary panics, and
// lets the panic go on.
func (s *Shadower) serveAlone(next http.Handler, w http.ResponseWriter, r *http.Request, ev telemetry.Event) {
	defer s.recordSafely(r.Context(), ev)
	next.ServeHTTP(w, r)
}

// recordSafely reports an event from the request's goroutine. A panicking
// recorder must not reach the user, so it is recovered and handed to otel.
func (s *Shadower) recordSafely(ctx context.Context, ev telemetry.Event) {
	defer safe.Report("shadowread: recorder")
	s.cfg.recorder.Record(context.WithoutCancel(ctx), ev)
}
