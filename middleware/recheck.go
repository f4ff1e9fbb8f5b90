package middleware

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/telemetry"
)

// DefaultRecheckAfter is how long after a mismatch both sides are read
// again. The gap between the two writes of a dual write lasts tens of
// milliseconds; a quarter of a second lets it close without holding the
// verdict long.
const DefaultRecheckAfter = 250 * time.Millisecond

// WithRecheck reads a mismatching pair again, both sides, after the delay
// (default [DefaultRecheckAfter]; 0 turns re-checks off). A read that raced a
// write sees the two stores a few milliseconds apart, which is not a data
// problem, but only when the request's own reads show the write that
// explains the difference (the shadow's answer equals one the primary gave
// later, or the shadow's later answer equals the primary's first):
// then the outcome is [telemetry.Transient]. A shadow answer that equals no
// answer of the primary stays a [telemetry.Mismatch], also when a later write
// has made the stores agree again (repaired); one that still differs is a
// mismatch with the second pair's differences. Either way
// [telemetry.Event.Recheck] says what the re-check found.
//
// The reads: the primary at once, right after the mismatching pair; both
// sides early within the delay, at an eighth, a quarter and a half of it;
// both sides after it. The first reading that shows the explaining write
// ends the re-check, so a write to the same entity that follows within the
// delay (a customer's next order) cannot hide the one that explains the
// difference behind a state neither first answer had. A persistent
// difference costs five reads of the primary and four of the shadow. The
// later answers of the primary are evidence of timing only, never of noise.
//
// A re-check runs the primary handler and the shadow handler again in the
// background, each with its own copy of the request, detached from the
// user's request and routed as in the first run: the primary's copy to the
// primary store as primary, the shadow's to the other store as shadow, so a
// handler that answers by role answers alike; [IsRecheck] is true in both,
// for handlers with side effects. It waits without holding a shadow slot,
// then needs a free one for each reading and runs each within the shadow's
// timeout. It never queues: an early reading without a free slot is left
// out; when no slot is free after the delay the first verdict stands with
// [telemetry.RecheckDropped], and when either
// side fails, times out or cannot be compared it stands with
// [telemetry.RecheckFailed]. At most as many re-checks wait at once as
// [WithMaxConcurrent] allows shadows. The user's request pays nothing.
//
// It panics if after is negative.
func WithRecheck(after time.Duration) Option {
	if after < 0 {
		panic(fmt.Sprintf("middleware: WithRecheck(%v): the delay must not be negative; use 0 to turn re-checks off, or a few hundred milliseconds such as middleware.DefaultRecheckAfter", after))
	}
	return optionFunc(func(c *config) { c.recheckAfter = after })
}

// recheckKey marks the context of a re-check's runs.
type recheckKey struct{}

// IsRecheck reports whether ctx belongs to one of the two runs of a
// re-check ([WithRecheck]) or of a re-verification ([Shadower.Reverify]).
// The primary's run is routed as the primary, so
// a handler with side effects that must happen once per user request
// (analytics events, cache writes) skips them when IsRecheck or
// [backends.IsShadow] is true.
func IsRecheck(ctx context.Context) bool {
	return ctx.Value(recheckKey{}) != nil
}

// rerunsWanted reports whether a shadow must keep an untouched copy of its
// request for a second run of either side.
func (s *Shadower) rerunsWanted() bool {
	return s.cfg.recheckAfter > 0 || s.noise != nil || s.kept != nil
}

// pair is a primary and a shadow response of one request.
type pair struct{ primary, shadow comparator.Response }

// kept returns a copy of p that outlives the pooled memory behind its
// bodies.
func (p pair) kept() pair {
	p.primary.Body = bytes.Clone(p.primary.Body)
	p.shadow.Body = bytes.Clone(p.shadow.Body)
	return p
}

// recheckLater takes over recording ev, a mismatch, when a re-check can be
// scheduled: it reports true and records ev itself once the re-check is
// done. It reports false, with ev.Recheck set to say why, when the caller
// must record ev as it is. first is the pair ev judged and own the fields
// the request's own A/A pair showed differing (nil without one).
//
// Before scheduling, the primary is read again at once: when that answer
// equals the shadow's, a write landed between the two first reads and the
// verdict is known without waiting.
func (j *shadowJob) recheckLater(ctx context.Context, ev *telemetry.Event, first pair, own map[string]bool) bool {
	s := j.s
	if ev.Outcome != telemetry.Mismatch || s.cfg.recheckAfter <= 0 || j.template == nil {
		return false
	}
	noise := s.noise.evidence(ev.Route, own)
	if soon, ok := j.primaryAgain(ctx); ok && j.matches(*ev, soon, first.shadow, noise) {
		ev.Outcome, ev.Reason, ev.Recheck = telemetry.Transient, telemetry.ReasonWriteRaced, telemetry.RecheckTransient
		return false
	}
	if !s.waiting.try() {
		ev.Recheck = telemetry.RecheckDropped
		return false
	}
	rc := &recheck{job: j, ctx: context.WithoutCancel(ctx), ev: *ev, template: j.template,
		status: first.primary.Status, first: first.kept(), own: own}
	go rc.run()
	return true
}

// recheck is one delayed second reading of a mismatching pair. It owns the
// recording of its event.
type recheck struct {
	job *shadowJob
	// ctx carries what the recorder's StartShadow put there (the shadow's
	// span), detached from the first run's timeout.
	ctx context.Context
	ev  telemetry.Event
	// template is an untouched copy of the request, for the new copies.
	template *http.Request
	// status is the primary's status in the pair the event describes.
	status int
	// first is the pair the first verdict judged, and own what the
	// request's own A/A pair showed differing (nil without one).
	first pair
	own   map[string]bool
}

// primaryAgain reads the primary again at once, in the shadow's slot and
// timeout, routed as in the user's run, and reports false when the answer
// cannot be compared. It is evidence of timing only, never of noise: a
// write between it and the first read would otherwise teach the written
// field.
func (j *shadowJob) primaryAgain(ctx context.Context) (comparator.Response, bool) {
	ctx = context.WithValue(ctx, recheckKey{}, true)
	return j.rerun(ctx, j.primaryHandler, rerunRequest(ctx, j.template, j.ev.Primary, backends.RolePrimary))
}

// run reads both sides early within the delay (see polls), then once more
// after it, and records the event. It holds a waiting place for its whole
// life and a shadow slot while it reads.
func (rc *recheck) run() {
	s := rc.job.s
	defer s.waiting.release()
	// Deferred, so a handler that panics past the recovery below or ends its
	// goroutine still leaves an event behind.
	defer func() {
		if p := recover(); p != nil {
			otel.Handle(fmt.Errorf("shadowread: re-check bookkeeping panicked: %v", p))
			rc.ev.Recheck = telemetry.RecheckFailed
		}
		if rc.ev.Recheck == telemetry.RecheckNone {
			rc.ev.Recheck = telemetry.RecheckFailed
		}
		s.kept.keep(rc.job, rc.ev, rc.template, rc.status)
		s.recordSafely(rc.ctx, rc.ev)
	}()

	start := time.Now()
	for _, at := range polls {
		if !rc.waitUntil(start.Add(time.Duration(at * float64(s.cfg.recheckAfter)))) {
			rc.ev.Recheck = telemetry.RecheckDropped
			return
		}
		if rc.poll() {
			rc.ev.Recheck = telemetry.RecheckTransient
			return
		}
	}
	if !rc.waitUntil(start.Add(s.cfg.recheckAfter)) {
		rc.ev.Recheck = telemetry.RecheckDropped
		return
	}
	if !s.tryAcquire() {
		rc.ev.Recheck = telemetry.RecheckDropped
		return
	}
	defer s.release()
	rc.ev.Recheck = rc.readAgain()
}

// waitUntil waits until t, and reports false when the Shadower stops first.
func (rc *recheck) waitUntil(t time.Time) bool {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-rc.job.s.stop:
		return false
	}
}

// readAgain reads both sides again within the shadow's timeout and judges
// the request on every answer it has; it returns what the re-check found.
//
// The difference is timing only when the request's own reads show the write
// that explains it: the shadow's first answer equals a later answer of the
// primary, read at once or after the delay (a write landed between the two
// first reads: write_raced), or the shadow's second answer equals the
// primary's first (the shadow lagged behind a write: shadow_lagged; not the
// answer read at once, which a repairing write may already have reached).
// A shadow answer that equals no primary answer is a mismatch, also when a
// later write has made the second pair match (repaired).
func (rc *recheck) readAgain() telemetry.RecheckResult {
	j := rc.job
	s := j.s
	ctx, cancel := context.WithTimeout(context.WithValue(rc.ctx, recheckKey{}, true), s.cfg.timeout)
	defer cancel()
	// The primary first, as in the first pair: during a dual write the
	// primary's store is written first, so its reading is the older one.
	primary, ok := j.rerun(ctx, j.primaryHandler, rerunRequest(ctx, rc.template, rc.ev.Primary, backends.RolePrimary))
	if !ok {
		return telemetry.RecheckFailed
	}
	own := union(rc.own, rc.ownAgain(ctx, primary))
	shadow, ok := j.rerun(ctx, j.handler, withBehind(rerunRequest(ctx, rc.template, rc.ev.Shadow, backends.RoleShadow), &j.behind))
	if !ok || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return telemetry.RecheckFailed
	}
	if j.behind.Load() {
		rc.ev.Outcome, rc.ev.Reason, rc.ev.Result, rc.ev.Noise = telemetry.Skipped, telemetry.ReasonShadowBehind, comparator.Result{}, nil
		return telemetry.RecheckFailed
	}
	noise := s.noise.evidence(rc.ev.Route, own)
	equal := func(primary, shadow comparator.Response) bool {
		return j.matches(rc.ev, primary, shadow, noise)
	}
	first := j.judge(rc.ev, rc.first.primary, rc.first.shadow, noise)
	switch {
	case first.Outcome == telemetry.Match:
		// The re-check's own A/A pair proved every difference noise.
		rc.ev.Outcome, rc.ev.Result, rc.ev.Noise = telemetry.Match, first.Result, first.Noise
		return telemetry.RecheckAbsorbed
	case equal(primary, rc.first.shadow):
		rc.ev.Outcome, rc.ev.Reason = telemetry.Transient, telemetry.ReasonWriteRaced
		return telemetry.RecheckTransient
	case equal(rc.first.primary, shadow):
		rc.ev.Outcome, rc.ev.Reason = telemetry.Transient, telemetry.ReasonShadowLagged
		return telemetry.RecheckTransient
	}
	second := j.judge(rc.ev, primary, shadow, noise)
	switch second.Outcome {
	case telemetry.Match:
		rc.ev.Result, rc.ev.Noise = first.Result, first.Noise
		return telemetry.RecheckRepaired
	case telemetry.Mismatch:
		rc.ev.Result, rc.ev.Noise, rc.ev.CompareDuration = second.Result, second.Noise, second.CompareDuration
		rc.status = primary.Status
		rc.ev.PrimaryStatus, rc.ev.ShadowStatus = primary.Status, shadow.Status
		return telemetry.RecheckConfirmed
	}
	rc.ev.Result, rc.ev.Noise = first.Result, first.Noise
	return telemetry.RecheckFailed
}

// judge compares a primary and a shadow answer of the request ev
// describes, with the differences on noise absorbed, and returns ev judged
// on them.
func (j *shadowJob) judge(ev telemetry.Event, primary, shadow comparator.Response, noise map[string]bool) telemetry.Event {
	ev.Noise, ev.Reason, ev.Err = nil, "", nil
	j.compare(&ev, primary, shadow)
	if ev.Outcome == telemetry.Mismatch {
		absorb(&ev, noise)
	}
	return ev
}

// matches reports whether a primary and a shadow answer of the request ev
// describes are equal once the differences on noise are absorbed.
func (j *shadowJob) matches(ev telemetry.Event, primary, shadow comparator.Response, noise map[string]bool) bool {
	return j.judge(ev, primary, shadow, noise).Outcome == telemetry.Match
}

// ownAgain reads the primary a second time right after the re-check's
// primary read, when the noise baseline is on, so every re-checked mismatch
// has an A/A pair of its own; it returns the fields the pair showed
// differing (nil without a usable pair).
func (rc *recheck) ownAgain(ctx context.Context, primary comparator.Response) map[string]bool {
	if rc.job.s.noise == nil {
		return nil
	}
	return rc.job.secondRead(ctx, rc.template, primary)
}

// union returns the fields of a and b; nil when both are nil (no A/A pair).
func union(a, b map[string]bool) map[string]bool {
	if a == nil {
		return b
	}
	if b == nil {
		return a
	}
	u := make(map[string]bool, len(a)+len(b))
	for f := range a {
		u[f] = true
	}
	for f := range b {
		u[f] = true
	}
	return u
}

// withBehind lets r's handler say its store is behind (ShadowBehind).
func withBehind(r *http.Request, behind *atomic.Bool) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), behindKey{}, behind))
}

// rerun runs h on req under ctx and returns its response, or false when it
// cannot be compared: a panic, a 5xx, a body over the cap or the timeout.
func (j *shadowJob) rerun(ctx context.Context, h http.Handler, req *http.Request) (comparator.Response, bool) {
	resp, overflow, err := runCaptured(h, req, j.s.cfg.maxBodyBytes)
	ok := err == nil && !overflow && resp.Status < 500 && ctx.Err() == nil
	return resp, ok
}

// runCaptured runs h on req into a private writer and turns a panic into an
// error.
func runCaptured(h http.Handler, req *http.Request, maxBody int64) (resp comparator.Response, overflow bool, err error) {
	w := newShadowWriter(req.Method, maxBody)
	defer func() {
		if p := recover(); p != nil {
			err = newPanicError(p)
		}
	}()
	h.ServeHTTP(rerunWriter{w}, req)
	return w.response(), w.body.overflow, nil
}

// rerunWriter is the writer of a second run. The primary's second run is
// routed as the primary, so it offers what a server's writer offers: a
// handler that checks for io.ReaderFrom behaves as in the first run.
type rerunWriter struct{ *shadowWriter }

func (w rerunWriter) ReadFrom(src io.Reader) (int64, error) {
	return io.Copy(w.shadowWriter, src)
}

// Unwrap lets http.ResponseController reach the writer underneath.
func (w rerunWriter) Unwrap() http.ResponseWriter { return w.shadowWriter }
