package middleware

import (
	"context"
	"sync/atomic"

	"golang.org/x/sync/semaphore"
)

// slots bounds background work without a queue: work that finds no free
// slot is dropped, never waited for. The Shadower has two: the shadows in
// flight, and the re-checks waiting on their delay.
type slots struct {
	sem  *semaphore.Weighted
	size int64
	// held counts the slots work holds, which the semaphore does not tell:
	// InFlight and the latency guard read it.
	held   atomic.Int64
	closed *atomic.Bool // the Shadower's: no slot is handed out once set
}

func newSlots(size int, closed *atomic.Bool) *slots {
	return &slots{sem: semaphore.NewWeighted(int64(size)), size: int64(size), closed: closed}
}

// try takes a slot without waiting. It fails when every slot is busy or
// the Shadower is closing.
func (p *slots) try() bool {
	if !p.sem.TryAcquire(1) {
		return false
	}
	return p.taken()
}

// acquire takes a slot, waiting for one until ctx is done. Only calls the
// user makes wait (Reverify), never a request.
func (p *slots) acquire(ctx context.Context) error {
	if err := p.sem.Acquire(ctx, 1); err != nil {
		return err
	}
	if !p.taken() {
		return ErrClosed
	}
	return nil
}

// taken counts a slot just taken, or gives it back if the Shadower is
// closing. Checked after taking: a drain that began before this point
// either sees the slot taken and waits for it, or is seen here.
func (p *slots) taken() bool {
	p.held.Add(1)
	if p.closed.Load() {
		p.release()
		return false
	}
	return true
}

func (p *slots) release() {
	p.held.Add(-1)
	p.sem.Release(1)
}

// inUse returns the number of slots work holds.
func (p *slots) inUse() int { return int(p.held.Load()) }

// drain waits until no work holds a slot, or gives up when ctx is done. A
// pool already idle drains even with ctx done, so an idle Shadower closes
// without error whatever its context, as http.Server.Shutdown does.
// Concurrent drains wait in turn.
func (p *slots) drain(ctx context.Context) error {
	if !p.sem.TryAcquire(p.size) {
		if err := p.sem.Acquire(ctx, p.size); err != nil {
			return err
		}
	}
	p.sem.Release(p.size)
	return nil
}
