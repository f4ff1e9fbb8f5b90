package middleware

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"go.opentelemetry.io/otel"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/telemetry"
)

// shadowJob is one shadow execution. Everything it needs is copied before
// it starts; it never touches the user's request or response writer.
type shadowJob struct {
	s       *Shadower
	handler http.Handler
	req     *http.Request
	ev      telemetry.Event
	// primary is the primary's result when the shadow starts after it;
	// otherwise primaryDone delivers it once the primary has returned.
	primary     primaryResult
	primaryDone chan primaryResult

	// primaryHandler is the user's handler, for second runs of the primary
	// (re-checks, noise baselines).
	primaryHandler http.Handler
}

// run executes the shadow, waits for the primary's result, compares and
// records. It owns a slot until it returns, and gives it back then.
// Nothing that happens here reaches the user: panics are recovered.
func (j *shadowJob) run() {
	defer j.s.release()
	defer func() {
		if p := recover(); p != nil {
			otel.Handle(fmt.Errorf("shadowread: shadow bookkeeping panicked: %v", p))
		}
	}()

	// Taken before the shadow runs and can change its request.
	var template *http.Request
	if j.s.rerunsWanted() {
		template = rerunRequest(j.req.Context(), j.req, j.ev.Shadow, backends.RoleShadow)
	}
	ctx, cancel := context.WithTimeout(j.req.Context(), j.s.cfg.timeout)
	defer cancel()
	ctx = j.s.cfg.recorder.StartShadow(ctx, j.ev)
	resp, overflow, duration, err := j.execute(ctx)
	timedOut := errors.Is(ctx.Err(), context.DeadlineExceeded)

	p := j.primary
	if j.primaryDone != nil {
		p = <-j.primaryDone
	}
	if p.skip == "" {
		j.noiseBaseline(p, template)
	}
	ev := j.ev
	ev.Start, ev.PrimaryDuration, ev.ShadowDuration = p.start, p.duration, duration
	switch {
	case p.skip != "":
		ev.Outcome, ev.Reason = telemetry.Skipped, p.skip
	case timedOut:
		ev.Outcome, ev.Err = telemetry.Timeout, fmt.Errorf("middleware: shadow outlived its %v timeout: %w", j.s.cfg.timeout, context.DeadlineExceeded)
	case err != nil:
		ev.Outcome, ev.Reason, ev.Err = telemetry.ShadowError, telemetry.ReasonPanic, err
	case resp.Status >= 500:
		ev.Outcome, ev.Reason, ev.Err = telemetry.ShadowError, telemetry.ReasonStatus5xx, fmt.Errorf("middleware: shadow answered %d", resp.Status)
	case overflow:
		ev.Outcome, ev.Reason = telemetry.Skipped, telemetry.ReasonBodyTooLarge
	default:
		j.compare(&ev, p.resp, resp)
	}
	if j.recheckLater(ctx, &ev, template, p.resp.Status) {
		return
	}
	j.s.kept.keep(j, ev, template, p.resp.Status)
	j.s.cfg.recorder.Record(context.WithoutCancel(ctx), ev)
}

// compare compares the two responses, gzip-decoded where they are
// encoded, and sets ev's result and outcome.
func (j *shadowJob) compare(ev *telemetry.Event, primary, shadow comparator.Response) {
	primary, err := decodeBody(primary, j.s.cfg.maxBodyBytes, "primary's")
	if err == nil {
		shadow, err = decodeBody(shadow, j.s.cfg.maxBodyBytes, "shadow's")
	}
	switch {
	case errors.Is(err, errDecodedTooLarge):
		ev.Outcome, ev.Reason = telemetry.Skipped, telemetry.ReasonBodyTooLarge
		return
	case err != nil:
		ev.Outcome, ev.Reason, ev.Err = telemetry.Skipped, telemetry.ReasonCompareFailed, err
		return
	}
	start := time.Now()
	ev.Result = compareSafely(j.s.cfg.comparator, primary, shadow)
	ev.CompareDuration = time.Since(start)
	switch {
	case ev.Result.Err != nil:
		ev.Outcome, ev.Reason, ev.Err = telemetry.Skipped, telemetry.ReasonCompareFailed, ev.Result.Err
	case ev.Result.Equal:
		ev.Outcome = telemetry.Match
	default:
		ev.Outcome = telemetry.Mismatch
		if !ev.NoiseBaseline {
			j.s.noise.absorb(ev)
		}
	}
}

// execute runs the shadow handler into a private writer and turns a panic
// into an error that keeps the stack.
func (j *shadowJob) execute(ctx context.Context) (resp comparator.Response, overflow bool, d time.Duration, err error) {
	w := newShadowWriter(j.s.cfg.maxBodyBytes)
	start := time.Now()
	defer func() {
		d = time.Since(start)
		if p := recover(); p != nil {
			err = newPanicError(p)
		}
	}()
	j.handler.ServeHTTP(w, j.req.WithContext(ctx))
	return w.response(), w.body.overflow, 0, nil
}

// compareSafely calls the comparator; go-cmp may panic, and a panic here
// must not take the process down.
func compareSafely(c comparator.Comparator, primary, shadow comparator.Response) (res comparator.Result) {
	defer func() {
		if p := recover(); p != nil {
			res = comparator.Result{Err: fmt.Errorf("middleware: comparator panicked: %v", p)}
		}
	}()
	return c.Compare(primary, shadow)
}
