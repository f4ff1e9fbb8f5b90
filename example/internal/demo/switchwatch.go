package demo

import (
	"context"
	"sync"
	"time"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/telemetry"
)

// SwitchWatch is a recorder beside the service's own that counts, per route
// and primary, the comparisons and the mismatches since its last
// [SwitchWatch.Reset], and notes when the first mismatch with DynamoDB as
// the primary was recorded on each route. The primary-switch phase reads it
// to tell the injected regression's mismatches from any others, and to time
// the rollback. It is safe for concurrent use.
type SwitchWatch struct {
	mu     sync.Mutex
	counts map[switchKey]*switchCount
	first  map[string]time.Time // first DynamoDB-primary mismatch per route
	now    func() time.Time
}

type switchKey struct {
	route   string
	primary backends.Name
}

type switchCount struct{ samples, mismatches uint64 }

var _ telemetry.Recorder = (*SwitchWatch)(nil)

// NewSwitchWatch returns an empty watch.
func NewSwitchWatch() *SwitchWatch {
	return &SwitchWatch{counts: map[switchKey]*switchCount{}, first: map[string]time.Time{}, now: time.Now}
}

// StartShadow returns ctx.
func (w *SwitchWatch) StartShadow(ctx context.Context, _ telemetry.Event) context.Context { return ctx }

// Record counts a comparison; A/A comparisons of the noise baseline are
// no verdict on either store and are left out.
func (w *SwitchWatch) Record(_ context.Context, e telemetry.Event) {
	if e.NoiseBaseline {
		return
	}
	compared := e.Outcome == telemetry.Match || e.Outcome == telemetry.Mismatch
	if !compared {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
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

// Reset starts counting afresh.
func (w *SwitchWatch) Reset() {
	w.mu.Lock()
	defer w.mu.Unlock()
	clear(w.counts)
	clear(w.first)
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
