package middleware

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/internal/safe"
	"github.com/shadowread/shadowread/telemetry"
)

// errShadowExited is the error of a shadow handler that ended its goroutine
// with runtime.Goexit (as t.FailNow does) instead of returning.
var errShadowExited = errors.New("middleware: shadow handler called runtime.Goexit")

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
	// capture records the primary's response for the user's path, and
	// writer the shadow's; they live in the job to save allocations.
	capture primaryCapture
	writer  shadowWriter

	// route is the shadow's copy of chi's routing context, if routed.
	route        chi.Context
	routeStrings [8]string // room for route's parameters and patterns
	routeCtx     routeValue
	routed       bool
	// ctx is the shadow's own context (see detach); nil until then. req
	// keeps the request's: a request of its own only to carry ctx would
	// be one allocation more per shadow.
	ctx context.Context

	// template is an untouched copy of the request for second runs, taken
	// before the shadow runs and can change its request; nil when no
	// second run is wanted. templateRoute is its copy of route.
	template        *http.Request
	templateRoute   chi.Context
	templateStrings [8]string
	templateCtx     routeValue

	// aa: this request gets its own A/A pair (WithNoiseBaseline), the
	// primary read a second time right after the user's read. aaDone
	// delivers that read; primaryReturned, closed when the primary
	// returns, starts it when the shadow started first.
	aa              bool
	aaDone          chan aaRead
	primaryReturned chan struct{}
	// holders counts who still needs the slot when the A/A read runs
	// beside the shadow: the last of the two gives it back.
	holders atomic.Int32
	// behind: the shadow's handler said its store is behind for the entity
	// (ShadowBehind).
	behind atomic.Bool
	// stores notes whether the shadow's handler asked which store to use.
	stores backends.StoreUse
}

// shadowResult is what the shadow execution produced.
type shadowResult struct {
	resp     comparator.Response
	overflow bool // the body exceeded the cap
	behind   bool // the handler said its store is behind (ShadowBehind)
	duration time.Duration
	err      error   // the handler panicked or exited its goroutine
	timedOut bool    // the shadow outlived its timeout
	block    *[]byte // the pooled memory behind resp.Body
}

// run executes the shadow, waits for the primary's result, compares and
// records. It owns a slot until it returns, and gives it back then. The
// event is recorded exactly once however the handler ends: by returning,
// panicking or calling runtime.Goexit. Nothing that happens here reaches
// the user: panics are recovered.
func (j *shadowJob) run() {
	defer j.releaseSlot()
	defer safe.Report("shadowread: shadow bookkeeping")

	j.detach()
	if j.s.rerunsWanted() {
		j.takeTemplate()
	}
	j.startAA()
	ctx, cancel := context.WithTimeout(j.ctx, j.s.cfg.timeout)
	defer cancel()
	ctx = j.s.cfg.recorder.StartShadow(ctx, j.ev)
	var sh shadowResult
	defer func() { j.finish(ctx, sh) }()
	j.execute(ctx, &sh)
}

// finish waits for the primary's result, but no longer than the shadow's
// timeout, so a long-lived primary cannot hold the slot; then it compares
// and records.
func (j *shadowJob) finish(ctx context.Context, sh shadowResult) {
	sh.timedOut = errors.Is(ctx.Err(), context.DeadlineExceeded)
	p := j.primary
	if j.primaryDone != nil {
		select {
		case p = <-j.primaryDone: // a result already there wins over the deadline
		default:
			select {
			case p = <-j.primaryDone:
			case <-ctx.Done():
				p = primaryResult{unfinished: true}
			}
		}
	}
	p.buildHeader()
	// The comparison and the A/A pair read the bodies, and nothing keeps
	// them after: a re-check keeps copies of the bodies it needs.
	defer p.release()
	defer putBlock(sh.block)
	own := j.ownPair(p)
	ev := j.ev
	ev.Start, ev.PrimaryDuration, ev.ShadowDuration = p.start, p.duration, sh.duration
	ev.PrimaryStatus, ev.ShadowStatus = p.resp.Status, sh.resp.Status
	ev.Outcome, ev.Reason, ev.Err = verdict(p, sh, j.s.cfg.timeout)
	switch {
	case ev.Outcome == telemetry.Mismatch && sh.overflow:
		ev.Result = oversized(p.resp, j.s.cfg.maxBodyBytes)
	case ev.Outcome == "":
		j.compare(&ev, p.resp, sh.resp)
		if ev.Outcome == telemetry.Mismatch {
			if own == nil {
				own = j.pairNow(ctx)
			}
			absorb(&ev, j.s.noise.evidence(ev.Route, own))
		}
	}
	if j.recheckLater(ctx, &ev, pair{primary: p.resp, shadow: sh.resp}, own) {
		return
	}
	j.s.kept.keep(j, ev, j.template, p.resp.Status)
	j.s.cfg.recorder.Record(uncancelled(ctx), ev)
}

// compare compares the two responses, gzip-decoded where they are
// encoded, and sets ev's result and outcome. Absorbing proven noise is the
// caller's: what counts as proof depends on the pair.
func (j *shadowJob) compare(ev *telemetry.Event, primary, shadow comparator.Response) {
	max := j.s.cfg.maxBodyBytes
	primary, err := decodeBody(primary, max, "primary's")
	if errors.Is(err, errDecodedTooLarge) {
		ev.Outcome, ev.Reason = telemetry.Skipped, telemetry.ReasonBodyTooLarge
		return
	}
	if err == nil {
		shadow, err = decodeBody(shadow, max, "shadow's")
		if errors.Is(err, errDecodedTooLarge) {
			// Over the cap where the primary is under it: a difference.
			ev.Outcome, ev.Reason, ev.Err, ev.Result = telemetry.Mismatch, "", nil, oversized(primary, max)
			return
		}
	}
	if err != nil {
		ev.Outcome, ev.Reason, ev.Err = telemetry.Skipped, telemetry.ReasonCompareFailed, err
		return
	}
	start := time.Now()
	ev.Result = compareSafely(j.s.cfg.comparator, primary, shadow)
	ev.CompareDuration = time.Since(start)
	ev.Outcome, ev.Reason, ev.Err = compareOutcome(ev.Result)
}

// releaseSlot gives the job's slot back once neither the shadow nor its
// A/A read needs it.
func (j *shadowJob) releaseSlot() {
	if j.holders.Load() == 0 || j.holders.Add(-1) == 0 {
		j.s.release()
	}
}

// execute runs the shadow handler into a private writer and fills sh. A
// panic becomes an error that keeps the stack; a runtime.Goexit, which
// cannot be stopped, becomes errShadowExited before the goroutine ends.
func (j *shadowJob) execute(ctx context.Context, sh *shadowResult) {
	w := &j.writer
	w.init(j.req.Method, j.s.cfg.maxBodyBytes)
	ctx = context.WithValue(ctx, behindKey{}, &j.behind)
	checkStores := j.s.cfg.shadowHandler == nil // a handler of its own needs no routing
	if checkStores {
		ctx = backends.WithStoreUse(ctx, &j.stores)
	}
	req := j.req.WithContext(ctx)
	start := time.Now()
	returned := false
	defer func() {
		sh.duration = time.Since(start)
		removeMultipart(req, j.req)
		if returned {
			return
		}
		if p := recover(); p != nil {
			sh.err = newPanicError(p)
			return
		}
		sh.err = errShadowExited
	}()
	j.handler.ServeHTTP(w, req)
	returned = true
	if checkStores {
		j.s.stores.note(j.ev.Route, j.stores.Asked())
	}
	sh.resp, sh.overflow, sh.block = w.response(), w.body.overflow, w.body.block
	sh.behind = j.behind.Load()
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
