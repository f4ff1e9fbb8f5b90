package middleware

import (
	"context"
	"sync"
	"sync/atomic"

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
	workers  *workers      // run the shadows
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
	s.workers = newWorkers(s.stop)
	s.slots = newSlots(cfg.maxConcurrent, &s.closed)
	s.waiting = newSlots(cfg.maxConcurrent, &s.closed)
	s.reportProblems()
	return s
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
	s.workers.wait()
	// Re-checks past their delay find no slot now and only record their
	// event; those still waiting have been woken by stop.
	return s.waiting.drain(ctx)
}
