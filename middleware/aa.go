package middleware

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/internal/safe"
	"github.com/shadowread/shadowread/telemetry"
)

// aaRead is the primary's second read of a request's own A/A pair.
type aaRead struct {
	// ctx carries the A/A event's span, from the recorder's StartShadow.
	ctx      context.Context
	resp     comparator.Response
	duration time.Duration
	overflow bool
	timedOut bool
	err      error
}

// wantsAA decides, on the user's path, whether a sampled request gets its
// own A/A pair; with the shadow started first, the A/A read then waits for
// the primary to return.
func (s *Shadower) wantsAA(j *shadowJob) {
	if s.noise == nil || rand.Float64()*100 >= s.noise.percent {
		return
	}
	j.aa = true
	j.aaDone = make(chan aaRead, 1)
	if s.cfg.start == StartWithPrimary {
		j.primaryReturned = make(chan struct{})
	}
}

// primaryHasReturned starts a waiting A/A read; the user's goroutine calls
// it once the primary handler has returned or panicked.
func (j *shadowJob) primaryHasReturned() {
	if j.primaryReturned != nil {
		close(j.primaryReturned)
	}
}

// startAA starts the A/A read beside the shadow, sharing its slot, so it
// reads the primary's store right after the user's read rather than after
// the shadow: its window then holds as few writes as it can.
func (j *shadowJob) startAA() {
	if !j.aa || j.template == nil {
		j.aa = false
		return
	}
	j.holders.Store(2)
	go j.readAA()
}

// readAA runs the primary handler again for the A/A pair and delivers the
// response on aaDone, however the handler ends.
func (j *shadowJob) readAA() {
	defer j.releaseSlot()
	s := j.s
	ctx, cancel := context.WithTimeout(j.ctx, s.cfg.timeout)
	defer cancel()
	var r aaRead
	returned := false
	defer func() {
		if !returned {
			r.err = errShadowExited
			if p := recover(); p != nil {
				r.err = newPanicError(p)
			}
		}
		j.aaDone <- r // buffered: never blocks
	}()
	if j.primaryReturned != nil {
		select {
		case <-j.primaryReturned:
		case <-ctx.Done():
			r.timedOut, returned = true, true
			return
		}
	}
	r.ctx = s.cfg.recorder.StartShadow(ctx, j.aaEvent())
	start := time.Now()
	r.resp, r.overflow, r.err = runCaptured(j.primaryHandler, rerunRequest(ctx, j.template, j.ev.Primary, backends.RoleShadow), s.cfg.maxBodyBytes)
	r.duration = time.Since(start)
	r.timedOut = errors.Is(ctx.Err(), context.DeadlineExceeded)
	returned = true
}

// aaEvent is the event of one of the request's A/A pairs: the primary
// against itself.
func (j *shadowJob) aaEvent() telemetry.Event {
	ev := j.ev
	ev.NoiseBaseline, ev.Shadow = true, ev.Primary
	return ev
}

// ownPair waits for the request's A/A read, if it has one, compares it with
// the primary's response p, learns from the pair and records it. It returns
// the fields the pair showed differing (empty, not nil, when it differed in
// none), or nil when the request has no usable A/A pair.
func (j *shadowJob) ownPair(p primaryResult) map[string]bool {
	if !j.aa {
		return nil
	}
	r := <-j.aaDone
	ev := j.aaEvent()
	ev.Start, ev.PrimaryDuration, ev.ShadowDuration = p.start, p.duration, r.duration
	switch {
	case p.skip != "" || p.unfinished:
		ev.Outcome, ev.Reason = telemetry.Skipped, p.skip
		if p.unfinished {
			ev.Reason = telemetry.ReasonPrimaryOutlived
		}
	default:
		j.judgeAA(&ev, p.resp, r)
	}
	j.recordAA(r.ctx, ev)
	if ev.Outcome != telemetry.Match && ev.Outcome != telemetry.Mismatch {
		return nil
	}
	return fieldSet(differingFields(ev.Result.Diffs))
}

// judgeAA compares first, a primary response, with r, a second read of the
// primary, sets ev's outcome and, when the two could be compared, learns
// from their differences.
func (j *shadowJob) judgeAA(ev *telemetry.Event, first comparator.Response, r aaRead) {
	s := j.s
	ev.PrimaryStatus, ev.ShadowStatus = first.Status, r.resp.Status
	switch {
	case r.timedOut:
		ev.Outcome, ev.Err = telemetry.Timeout, fmt.Errorf("middleware: the A/A read outlived its %v timeout: %w", s.cfg.timeout, context.DeadlineExceeded)
	case r.err != nil:
		ev.Outcome, ev.Reason, ev.Err = telemetry.ShadowError, telemetry.ReasonPanic, r.err
	case r.resp.Status >= 500:
		ev.Outcome, ev.Reason, ev.Err = telemetry.ShadowError, telemetry.ReasonStatus5xx, fmt.Errorf("middleware: the A/A read answered %d", r.resp.Status)
	case r.overflow:
		ev.Outcome, ev.Reason = telemetry.Skipped, telemetry.ReasonBodyTooLarge
	default:
		j.compare(ev, first, r.resp)
		if ev.Outcome == telemetry.Match || ev.Outcome == telemetry.Mismatch {
			s.noise.learn(ev.Route, s.noise.entityHash(j.entity()), ev.Result.Diffs)
		}
	}
}

// recordAA records an A/A event; whatever breaks there, the shadow's own
// verdict goes on.
func (j *shadowJob) recordAA(ctx context.Context, ev telemetry.Event) {
	defer safe.Report("shadowread: recording an A/A pair")
	if ctx == nil {
		ctx = j.ctx
	}
	j.s.cfg.recorder.Record(uncancelled(ctx), ev)
}

// entity names what the request read, for telling entities apart in the
// noise learner: the user's entity key, else the request path.
func (j *shadowJob) entity() string {
	if j.ev.EntityKey != "" {
		return j.ev.EntityKey
	}
	return j.req.URL.Path
}

// secondRead reads the primary again right after first, one of its reads
// for template, compares the two, learns from them and records the A/A
// event; it returns the fields they showed differing, or nil when the pair
// could not be compared.
func (j *shadowJob) secondRead(ctx context.Context, template *http.Request, first comparator.Response) map[string]bool {
	s := j.s
	ev := j.aaEvent()
	ev.Recheck = telemetry.RecheckNone
	aaCtx := s.cfg.recorder.StartShadow(ctx, ev)
	start := time.Now()
	var r aaRead
	r.resp, r.overflow, r.err = runCaptured(j.primaryHandler, rerunRequest(aaCtx, template, ev.Primary, backends.RoleShadow), s.cfg.maxBodyBytes)
	r.duration = time.Since(start)
	r.timedOut = errors.Is(ctx.Err(), context.DeadlineExceeded)
	ev.Start, ev.ShadowDuration = start, r.duration
	j.judgeAA(&ev, first, r)
	j.recordAA(aaCtx, ev)
	if ev.Outcome != telemetry.Match && ev.Outcome != telemetry.Mismatch {
		return nil
	}
	return fieldSet(differingFields(ev.Result.Diffs))
}

// pairNow gives a mismatch without an A/A pair of its own one at once, when
// the noise baseline is on: two reads of the primary, back to back, in the
// shadow's slot and timeout. A field nondeterministic in the primary (a
// request id the route has not learned yet) then needs no re-check.
func (j *shadowJob) pairNow(ctx context.Context) map[string]bool {
	if j.s.noise == nil || j.template == nil {
		return nil
	}
	first, ok := j.rerun(ctx, j.primaryHandler, rerunRequest(ctx, j.template, j.ev.Primary, backends.RoleShadow))
	if !ok {
		return nil
	}
	return j.secondRead(ctx, j.template, first)
}
