package middleware

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace"

	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/flags"
	"github.com/shadowread/shadowread/telemetry"
)

// primaryResult is what a shadow needs to know of its primary.
type primaryResult struct {
	resp     comparator.Response
	start    time.Time
	duration time.Duration
	// skip is a telemetry reason when the primary cannot be compared.
	skip telemetry.Reason
}

// serveSampled serves a sampled request: the primary for the user, and a
// shadow in the background if a slot is free.
func (s *Shadower) serveSampled(next, shadow http.Handler, w http.ResponseWriter, r *http.Request, route string, d flags.Decision) {
	ev := telemetry.Event{
		Route:       route,
		Method:      r.Method,
		Primary:     d.Primary,
		Shadow:      d.Shadow,
		RequestSpan: trace.SpanContextFromContext(r.Context()),
		EntityKey:   s.entityKey(r),
	}
	if g := s.guard; g != nil && !g.admit(route) {
		ev.Outcome, ev.Reason = telemetry.Dropped, telemetry.ReasonLatencyGuard
		s.serveAlone(next, w, r, ev)
		return
	}
	if t := s.cfg.throttle; t != nil && t.Store() == d.Shadow && !t.Admit() {
		ev.Outcome, ev.Reason = telemetry.Dropped, telemetry.ReasonThrottled
		s.serveAlone(next, w, r, ev)
		return
	}
	r, body, err := bufferBody(r, s.cfg.maxBodyBytes)
	if err != nil {
		ev.Outcome, ev.Reason = telemetry.Skipped, telemetry.ReasonRequestTooLarge
		if !errors.Is(err, errBodyTooLarge) {
			ev.Reason, ev.Err = telemetry.ReasonRequestUnreadable, err
		}
		s.serveAlone(next, w, r, ev)
		return
	}
	// The shadow's copy is taken before the primary runs, so nothing the
	// primary or later middleware does to r reaches the shadow.
	job := &shadowJob{s: s, handler: shadow, primaryHandler: next, req: shadowRequest(r, d.Shadow, body), ev: ev}
	if s.cfg.start == StartWithPrimary {
		s.serveWithShadow(next, w, r, job)
		return
	}

	capture := newPrimaryCapture(w, s.cfg.maxBodyBytes)
	start := time.Now()
	done := false
	defer func() {
		if !done { // the primary panicked; the panic goes on to the user's recoverer
			ev.Outcome, ev.Reason = telemetry.Skipped, telemetry.ReasonPrimaryFailed
			s.recordSafely(r.Context(), ev)
		}
	}()
	next.ServeHTTP(capture.w, r)
	done = true

	p := capture.result(start)
	if p.skip != "" {
		ev.Outcome, ev.Reason, ev.Start, ev.PrimaryDuration = telemetry.Skipped, p.skip, p.start, p.duration
		s.recordSafely(r.Context(), ev)
		return
	}
	if !s.tryAcquire() {
		ev.Outcome, ev.Reason = s.noSlot()
		ev.Start, ev.PrimaryDuration = p.start, p.duration
		s.recordSafely(r.Context(), ev)
		return
	}
	job.primary = p
	go job.run()
}

// serveWithShadow starts the shadow first and then serves the primary; the
// shadow waits for the primary's result before comparing.
func (s *Shadower) serveWithShadow(next http.Handler, w http.ResponseWriter, r *http.Request, job *shadowJob) {
	if !s.tryAcquire() {
		ev := job.ev
		ev.Outcome, ev.Reason = s.noSlot()
		s.serveAlone(next, w, r, ev)
		return
	}
	results := make(chan primaryResult, 1)
	job.primaryDone = results
	go job.run()

	capture := newPrimaryCapture(w, s.cfg.maxBodyBytes)
	start := time.Now()
	done := false
	defer func() {
		if !done { // the primary panicked: tell the shadow, let the panic go on
			results <- primaryResult{start: start, duration: time.Since(start), skip: telemetry.ReasonPrimaryFailed}
		}
	}()
	next.ServeHTTP(capture.w, r)
	done = true
	results <- capture.result(start)
}

// serveAlone serves a sampled request that gets no shadow and records ev,
// whose outcome says why; it records ev also when the primary panics, and
// lets the panic go on.
func (s *Shadower) serveAlone(next http.Handler, w http.ResponseWriter, r *http.Request, ev telemetry.Event) {
	defer s.recordSafely(r.Context(), ev)
	next.ServeHTTP(w, r)
}

// result summarises the primary once its handler has returned.
func (c *primaryCapture) result(start time.Time) primaryResult {
	p := primaryResult{start: start, duration: time.Since(start)}
	p.resp = c.response()
	switch {
	case c.hijacked:
		p.skip = telemetry.ReasonHijacked
	case p.resp.Status >= 500:
		p.skip = telemetry.ReasonPrimaryFailed
	case c.body.overflow:
		p.skip = telemetry.ReasonBodyTooLarge
	}
	return p
}

// recordSafely reports an event from the request's goroutine. A panicking
// recorder must not reach the user, so it is recovered and handed to otel.
func (s *Shadower) recordSafely(ctx context.Context, ev telemetry.Event) {
	defer func() {
		if p := recover(); p != nil {
			otel.Handle(fmt.Errorf("shadowread: recorder panicked: %v", p))
		}
	}()
	s.cfg.recorder.Record(context.WithoutCancel(ctx), ev)
}
