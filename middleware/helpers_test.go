package middleware_test

import (
	"context"
	"maps"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/flags"
	"github.com/shadowread/shadowread/middleware"
	"github.com/shadowread/shadowread/telemetry"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testEvaluation gives a provider a second for a route's first decision,
// not the default 5 ms that a loaded machine running -race can miss: tests
// that read what the flags say must not get the safe decision instead.
var testEvaluation = flags.WithEvaluationTimeout(time.Second)

// spy is a telemetry.Recorder that hands every event to the test.
type spy struct {
	mu      sync.Mutex
	started int
	events  chan telemetry.Event
}

func newSpy() *spy { return &spy{events: make(chan telemetry.Event, 1024)} }

func (s *spy) StartShadow(ctx context.Context, _ telemetry.Event) context.Context {
	s.mu.Lock()
	s.started++
	s.mu.Unlock()
	return ctx
}

func (s *spy) Record(_ context.Context, e telemetry.Event) { s.events <- e }

func (s *spy) startedCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.started
}

// next waits for the next event; a missing event fails the test.
func (s *spy) next(t testing.TB) telemetry.Event {
	t.Helper()
	select {
	case e := <-s.events:
		return e
	case <-time.After(10 * time.Second):
		t.Fatal("no event recorded within 10s")
		return telemetry.Event{}
	}
}

// none asserts that no event is waiting.
func (s *spy) none(t testing.TB) {
	t.Helper()
	select {
	case e := <-s.events:
		t.Fatalf("unexpected event %+v", e)
	default:
	}
}

// always decides the same for every request.
func always(primary backends.Name, sampled bool) flags.Decider {
	return flags.DeciderFunc(func(*http.Request, string) flags.Decision {
		return flags.Decision{Primary: primary, Sampled: sampled}
	})
}

// bytesEqual compares status and body bytes, enough for unit tests of the
// middleware; the comparator package has its own tests.
var bytesEqual = comparator.Func(func(p, s comparator.Response) comparator.Result {
	if p.Status == s.Status && string(p.Body) == string(s.Body) {
		return comparator.Result{Equal: true}
	}
	return comparator.Result{Diffs: []comparator.Diff{{Path: "$body", Kind: comparator.ValueChanged}}}
})

// newShadower returns a Shadower sampling every request, closed at cleanup.
func newShadower(t testing.TB, rec telemetry.Recorder, opts ...middleware.Option) *middleware.Shadower {
	t.Helper()
	base := []middleware.Option{
		middleware.WithFlags(always(backends.Postgres, true)),
		middleware.WithComparator(bytesEqual),
		middleware.WithRecorder(rec),
	}
	s := middleware.New(append(base, opts...)...)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// byBackend answers with the backend the request is routed to.
func byBackend(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Backend", string(backends.Target(r.Context())))
	w.Write([]byte(`{"backend":"` + string(backends.Target(r.Context())) + `"}`))
}

// sameAnswer answers the same from both backends.
func sameAnswer(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"id":"p1","price":12.5}`))
}

// load runs fn over and over in workers goroutines until the returned stop
// is called; stop waits for them and returns how many calls were made.
func load(workers int, fn func(worker int)) (stop func() int) {
	var (
		stopped atomic.Bool
		calls   atomic.Int64
		wg      sync.WaitGroup
	)
	for w := range workers {
		wg.Go(func() {
			for !stopped.Load() {
				fn(w)
				calls.Add(1)
			}
		})
	}
	return func() int {
		stopped.Store(true)
		wg.Wait()
		return int(calls.Load())
	}
}

// tally is a telemetry.Recorder for load tests: it counts outcomes by
// "outcome/reason" and tracks how many shadows run at once, from
// StartShadow to their Record. Unlike spy it never blocks.
type tally struct {
	mu         sync.Mutex
	outcomes   map[string]int
	running    int
	maxRunning int
	changed    chan struct{} // closed and replaced on every Record
}

type tallyStarted struct{}

func newTally() *tally { return &tally{outcomes: map[string]int{}, changed: make(chan struct{})} }

func (c *tally) StartShadow(ctx context.Context, _ telemetry.Event) context.Context {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.running++
	c.maxRunning = max(c.maxRunning, c.running)
	return context.WithValue(ctx, tallyStarted{}, true)
}

func (c *tally) Record(ctx context.Context, e telemetry.Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ctx.Value(tallyStarted{}) != nil {
		c.running--
	}
	c.outcomes[string(e.Outcome)+"/"+string(e.Reason)]++
	close(c.changed)
	c.changed = make(chan struct{})
}

// waitUntil blocks until cond holds for the counts of outcomes. It fails
// the test if that takes more than 20 s: a guard against a hang, not a
// measure of speed.
func (c *tally) waitUntil(t testing.TB, what string, cond func(outcomes map[string]int) bool) {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		c.mu.Lock()
		ok, changed := cond(c.outcomes), c.changed
		c.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-changed:
		case <-timeout:
			counts, _ := c.snapshot()
			t.Fatalf("waited 20s for %s; outcomes so far %v", what, counts)
		}
	}
}

// snapshot returns a copy of the counts and the most shadows seen at once.
func (c *tally) snapshot() (map[string]int, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.outcomes), c.maxRunning
}

// runningNow returns the number of shadows started and not yet recorded.
func (c *tally) runningNow() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.running
}

// count returns the number of events with the outcome, whatever the reason.
func (c *tally) count(o telemetry.Outcome) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return countOutcome(c.outcomes, o)
}

// countOutcome adds up the counts of outcome o, whatever the reason.
func countOutcome(outcomes map[string]int, o telemetry.Outcome) int {
	n := 0
	for k, v := range outcomes {
		if strings.HasPrefix(k, string(o)+"/") {
			n += v
		}
	}
	return n
}
