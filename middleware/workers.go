package middleware

import (
	"sync"
	"time"
)

// workerIdle is how long a worker waits for its next shadow before it
// ends, give or take one period (see work).
const workerIdle = 10 * time.Second

// workers runs the shadows on long-lived goroutines. A fresh goroutine
// grows its stack through several copies on every shadow; a worker starts
// each shadow on the stack the earlier ones grew. A shadow goes to a
// worker waiting for one, or to a new worker when none is waiting, so the
// user's goroutine never waits for the hand-off. Every shadow holds a slot,
// so the workers running shadows are bounded by the slots; idle ones end
// after workerIdle, or once the Shadower closes (stop), and Close waits
// for them.
type workers struct {
	jobs chan *shadowJob // unbuffered: a send succeeds only to a waiting worker
	stop <-chan struct{}
	wg   sync.WaitGroup
}

func newWorkers(stop <-chan struct{}) *workers {
	return &workers{jobs: make(chan *shadowJob), stop: stop}
}

// start runs j, which holds a slot, on a waiting worker or a new one.
func (w *workers) start(j *shadowJob) {
	select {
	case w.jobs <- j:
	default:
		w.wg.Add(1)
		go w.work(j)
	}
}

// work runs j, then each shadow handed to it, until it has had none for a
// whole workerIdle period (between one and two periods after its last) or
// the Shadower closes. The timer is re-armed once a period, not once a
// shadow. A shadow handler that calls runtime.Goexit ends its worker; its
// shadow is recorded all the same.
func (w *workers) work(j *shadowJob) {
	defer w.wg.Done()
	idle := time.NewTimer(workerIdle)
	defer idle.Stop()
	for j != nil {
		j.run()
		j = w.next(idle)
	}
}

// next waits for the worker's next shadow; nil when there is none. The
// worker has just run one, so the period under way is not idle.
func (w *workers) next(idle *time.Timer) *shadowJob {
	worked := true
	for {
		select {
		case j := <-w.jobs:
			return j
		case <-w.stop:
			return nil
		case <-idle.C:
			if !worked {
				return nil
			}
			worked = false
			idle.Reset(workerIdle)
		}
	}
}

// wait waits for the workers to end. Close calls it once no slot is held,
// so every worker has ended its shadow and sees stop closed.
func (w *workers) wait() { w.wg.Wait() }
