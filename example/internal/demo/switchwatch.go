package demo

import (
	"context"
	"sync"
	"time"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/cutover"
	"github.com/shadowread/shadowread/telemetry"
	"github.com/shadowread/shadowread/telemetry/report"
)

// SwitchWatch is a recorder beside the service's own that counts, per route
// and primary, the comparisons and the mismatches since its last
// [SwitchWatch.Reset], and notes when the first mismatch with DynamoDB as
// the primary was recorded on each route, and when the moved users'
// evidence first failed a gate (see [SwitchWatch.Detect]). The
// primary-switch phase reads it to tell the injected regression's
// mismatches from any others, and to time the rollback from the moment the
// evidence allowed it. It is safe for concurrent use.
type SwitchWatch struct {
	mu       sync.Mutex
	counts   map[switchKey]*switchCount
	first    map[string]time.Time // first DynamoDB-primary mismatch per route
	reverse  map[string]*cutover.Readiness
	detect   cutover.Gate
	detected map[string]time.Time // the reverse evidence first failed detect
	now      func() time.Time
}

type switchKey struct {
	route   string
	primary backends.Name
}

type switchCount struct{ samples, mismatches uint64 }

var _ telemetry.Recorder = (*SwitchWatch)(nil)

// NewSwitchWatch returns an empty watch.
func NewSwitchWatch() *SwitchWatch {
	return &SwitchWatch{counts: map[switchKey]*switchCount{}, first: map[string]time.Time{},
		reverse: map[string]*cutover.Readiness{}, detected: map[string]time.Time{}, now: time.Now}
}

// Detect sets the gate whose failure on the moved users' evidence is
// noted: each DynamoDB-primary comparison recorded since the last Reset
// (samples and failures as the library counts them) is checked against it
// as it arrives, so the time noted is the first moment the controller could
// have seen the failure.
func (w *SwitchWatch) Detect(g cutover.Gate) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.detect = g
}

// StartShadow returns ctx.
func (w *SwitchWatch) StartShadow(ctx context.Context, _ telemetry.Event) context.Context { return ctx }

// Record counts a comparison; A/A comparisons of the noise baseline are
// no verdict on either store and are left out.
func (w *SwitchWatch) Record(_ context.Context, e telemetry.Event) {
	if e.NoiseBaseline {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if e.Primary == backends.DynamoDB {
		w.checkReverse(e)
	}
	compared := e.Outcome == telemetry.Match || e.Outcome == telemetry.Mismatch
	if !compared {
		return
	}
	k := switchKey{e.Route, e.Primary}
	c := w.counts[k]
	if c == nil {
		c = &switchCount{}
		w.counts[k] = c
	}
	c.samples++
	if e.Outcome != telemetry.Mismatch {
		return
	}
	c.mismatches++
	if _, ok := w.first[e.Route]; !ok && e.Primary == backends.DynamoDB {
		w.first[e.Route] = w.now()
	}
}

// checkReverse adds e to its route's reverse evidence and notes when that
// first fails the detect gate.
func (w *SwitchWatch) checkReverse(e telemetry.Event) {
	var failure bool
	switch e.Outcome {
	case telemetry.Match:
	case telemetry.Mismatch, telemetry.ShadowError, telemetry.Timeout:
		failure = true
	default:
		return // not a sample
	}
	r := w.reverse[e.Route]
	if r == nil {
		r = &cutover.Readiness{}
		w.reverse[e.Route] = r
	}
	r.Samples++
	if failure {
		r.Failures++
	}
	r.UpperBound = report.UpperBound(uint64(r.Failures), uint64(r.Samples))
	if _, seen := w.detected[e.Route]; seen || w.detect == nil {
		return
	}
	if w.detect.Check(context.Background(), e.Route, cutover.RouteEvidence{Reverse: *r}).Verdict == cutover.Fail {
		w.detected[e.Route] = w.now()
	}
}

// Reset starts counting afresh.
func (w *SwitchWatch) Reset() {
	w.mu.Lock()
	defer w.mu.Unlock()
	clear(w.counts)
	clear(w.first)
	clear(w.reverse)
	clear(w.detected)
}

// Detected returns when the moved users' evidence on route first failed
// the gate given to [SwitchWatch.Detect], since the last Reset.
func (w *SwitchWatch) Detected(route string) (time.Time, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	t, ok := w.detected[route]
	return t, ok
}

// Forward returns the comparisons and mismatches of route with PostgreSQL
// as the primary since the last Reset.
func (w *SwitchWatch) Forward(route string) (samples, mismatches uint64) {
	return w.of(route, backends.Postgres)
}

// Reverse is [SwitchWatch.Forward] with DynamoDB as the primary.
func (w *SwitchWatch) Reverse(route string) (samples, mismatches uint64) {
	return w.of(route, backends.DynamoDB)
}

func (w *SwitchWatch) of(route string, primary backends.Name) (uint64, uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if c := w.counts[switchKey{route, primary}]; c != nil {
		return c.samples, c.mismatches
	}
	return 0, 0
}

// FirstReverseMismatch returns when the first mismatch with DynamoDB as the
// primary was recorded on route since the last Reset.
func (w *SwitchWatch) FirstReverseMismatch(route string) (time.Time, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	t, ok := w.first[route]
	return t, ok
}
