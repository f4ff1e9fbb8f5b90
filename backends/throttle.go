package backends

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shadowread/shadowread/internal/backoff"
)

// MaxThrottleLevel is the deepest back-off of a [Throttle]: at this level it
// admits 1 in 2^10 = 1,024 of the calls it is asked about.
const MaxThrottleLevel = backoff.MaxLevel

// Throttle is a signal that a store has been refusing requests for their
// rate. The store's client notes every throttled call with [Throttle.Note]
// (the DynamoDB client does so with dynamodb.WithThrottle); the shadow-read
// middleware asks [Throttle.Admit] before it sends a shadow read to the
// store, so that shadow traffic backs off while the store is short of
// capacity and cannot take it from the writes and reads that matter.
//
// The signal is a level from 0 to [MaxThrottleLevel]. The first throttled
// call raises it to 1 at once; throttling that goes on raises it by one per
// window; every full window without throttling lowers it by one. At level n,
// Admit admits one call in 2^n at random: each window of throttling halves
// the shadow traffic, and each quiet window doubles it again.
//
// A Throttle is safe for concurrent use. Admit costs one atomic load while
// the level is 0; Note takes a lock and allocates, which is nothing next to
// the throttled call it notes.
type Throttle struct {
	store  Name
	window time.Duration
	origin time.Time // the monotonic clock's zero for the durations below

	mu    sync.Mutex // serialises Note
	state atomic.Pointer[throttleState]
}

// throttleState is one immutable reading of a Throttle.
type throttleState struct {
	level    backoff.Level
	lastNote time.Duration // since origin: the decay starts here
	raised   time.Duration // since origin: the level rises at most once a window
}

// NewThrottle returns a Throttle for store that raises and lowers its level
// once per window. A window of about a second follows DynamoDB, which
// measures capacity per second. It panics if store is unknown or window is
// not positive.
func NewThrottle(store Name, window time.Duration) *Throttle {
	if !store.Valid() {
		panic(fmt.Sprintf("backends: NewThrottle(%q, ...): unknown store; use backends.DynamoDB", store))
	}
	if window <= 0 {
		panic(fmt.Sprintf("backends: NewThrottle(%q, %v): the window must be positive, such as time.Second", store, window))
	}
	t := &Throttle{store: store, window: window, origin: time.Now()}
	t.state.Store(&throttleState{})
	return t
}

// Store returns the store whose throttling t notes.
func (t *Throttle) Store() Name { return t.store }

// Note records one throttled call.
func (t *Throttle) Note() {
	now := time.Since(t.origin)
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.state.Load()
	level, raised := s.levelAt(now, t.window), s.raised
	if level == 0 || now-raised >= t.window {
		level, raised = level.Deeper(), now
	}
	t.state.Store(&throttleState{level: level, lastNote: now, raised: raised})
}

// Level returns the current level: 0 when the store has not throttled for
// as many windows as the level had reached.
func (t *Throttle) Level() int {
	return int(t.state.Load().levelAt(time.Since(t.origin), t.window))
}

// Admit reports whether a call to the store should go ahead: always at
// level 0, else one time in 2^level.
func (t *Throttle) Admit() bool {
	s := t.state.Load()
	if s.level == 0 {
		return true
	}
	return s.levelAt(time.Since(t.origin), t.window).Admit()
}

// levelAt is the level at now, lowered by one for each full window since
// the last throttled call.
func (s *throttleState) levelAt(now, window time.Duration) backoff.Level {
	if s.level == 0 {
		return 0
	}
	return s.level.Shallower(int((now - s.lastNote) / window))
}
