package cutover

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// healthy is evidence on which every default gate passes.
func healthy() RouteEvidence {
	return RouteEvidence{
		Forward:  Readiness{Samples: 5000, UpperBound: 0.0006, Ready: true},
		Reverse:  Readiness{Samples: 5000, UpperBound: 0.0006},
		Postgres: Served{P99: 10 * time.Millisecond, LatencyCount: 1000, Requests: 1000, Errors: 1},
		DynamoDB: Served{P99: 12 * time.Millisecond, LatencyCount: 1000, Requests: 1000, Errors: 2},
	}
}

// fakeEvidence serves evidence per route that the test changes.
type fakeEvidence struct {
	mu     sync.Mutex
	routes map[string]RouteEvidence
	reads  int
	err    error
}

func newFakeEvidence(routes ...string) *fakeEvidence {
	f := &fakeEvidence{routes: make(map[string]RouteEvidence)}
	for _, r := range routes {
		f.routes[r] = healthy()
	}
	return f
}

func (f *fakeEvidence) Route(_ context.Context, route string) (RouteEvidence, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	return f.routes[route], f.err
}

func (f *fakeEvidence) set(route string, change func(*RouteEvidence)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ev := f.routes[route]
	change(&ev)
	f.routes[route] = ev
}

// fakeLease is held while held is true.
type fakeLease struct {
	mu   sync.Mutex
	held bool
}

func (l *fakeLease) Hold(context.Context) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.held, nil
}

func (l *fakeLease) set(held bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.held = held
}

// clock is a settable time source.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// baseFlags is a flag file with the other shadowread flags, which the
// writer must leave alone.
const baseFlags = `{
  "$schema": "https://flagd.dev/schema/v0/flags.json",
  "flags": {
    "shadowread.enabled": {"state": "ENABLED", "variants": {"on": true}, "defaultVariant": "on"},
    "shadowread.sample-percent": {"state": "ENABLED", "variants": {"all": 100}, "defaultVariant": "all"},
    "shadowread.primary": {"state": "ENABLED", "variants": {"postgres": "postgres"}, "defaultVariant": "postgres"}
  }
}
`

// flagFile writes baseFlags to a temporary file and returns its writer.
func flagFile(t *testing.T) *FlagFile {
	t.Helper()
	path := filepath.Join(t.TempDir(), "flags.json")
	if err := os.WriteFile(path, []byte(baseFlags), 0o600); err != nil {
		t.Fatal(err)
	}
	return NewFlagFile(path)
}

func shares(t *testing.T, f *FlagFile, routes ...string) map[string]float64 {
	t.Helper()
	s, err := f.Shares(context.Background(), routes)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// quiet discards the decision log.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

const hold = 10 * time.Minute

// newTestController is New with a fake clock, a short hold and no log.
func newTestController(t *testing.T, routes []string, ev Evidence, act Actuator, lease Lease, clk *clock, opts ...Option) *Controller {
	t.Helper()
	return New(routes, ev, act, lease, append([]Option{withClock(clk.Now), WithHold(hold), WithLogger(quiet)}, opts...)...)
}

// tick runs one Tick and fails the test on an error.
func tick(t *testing.T, c *Controller) {
	t.Helper()
	if err := c.Tick(context.Background()); err != nil {
		t.Fatalf("Tick: %v", err)
	}
}

func statusOf(t *testing.T, c *Controller, route string) RouteStatus {
	t.Helper()
	for _, st := range c.Status() {
		if st.Route == route {
			return st
		}
	}
	t.Fatalf("no status for %s", route)
	return RouteStatus{}
}

var errDown = errors.New("down")
