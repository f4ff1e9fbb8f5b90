package cutover

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

const route = "/products/{id}"

// TestControllerPromotes: on passing gates each step holds, then the next
// follows, and the last ends the route at 100%.
func TestControllerPromotes(t *testing.T) {
	clk, file, ev := newClock(), flagFile(t), newFakeEvidence(route)
	c := newTestController(t, []string{route}, ev, file, SoleController(), clk)

	tick(t, c)
	if got := shares(t, file, route)[route]; got != 1 {
		t.Fatalf("share %v after the first tick, want 1: the forward direction is ready", got)
	}
	for _, want := range []float64{5, 25, 50, 100} {
		clk.advance(hold / 2)
		tick(t, c)
		if st := statusOf(t, c, route); st.Action != ActionHold {
			t.Fatalf("halfway through the hold: action %s (%s), want hold", st.Action, st.Why)
		}
		clk.advance(hold / 2)
		tick(t, c)
		if got := shares(t, file, route)[route]; got != want {
			t.Fatalf("share %v after the hold, want %v (%s)", got, want, statusOf(t, c, route).Why)
		}
	}
	clk.advance(hold)
	tick(t, c)
	if st := statusOf(t, c, route); !st.Complete || st.Action != ActionComplete || st.Share != 100 {
		t.Errorf("status %+v after the last hold, want complete at 100%%", st)
	}
	// A complete route is still watched: PostgreSQL is still its shadow.
	ev.set(route, func(e *RouteEvidence) { e.DynamoDB.Errors = 500 })
	tick(t, c)
	if got := shares(t, file, route)[route]; got != 50 {
		t.Errorf("share %v after a failure of the complete route, want 50", got)
	}
}

// TestControllerWaitsForForwardReadiness: no user moves before DynamoDB is
// ready as PostgreSQL's shadow.
func TestControllerWaitsForForwardReadiness(t *testing.T) {
	clk, file, ev := newClock(), flagFile(t), newFakeEvidence(route)
	ev.set(route, func(e *RouteEvidence) { e.Forward.Ready = false })
	c := newTestController(t, []string{route}, ev, file, SoleController(), clk)
	for range 3 {
		tick(t, c)
		clk.advance(hold)
	}
	st := statusOf(t, c, route)
	if st.Share != 0 || !strings.Contains(st.Why, "forward-ready") {
		t.Errorf("status %+v, want 0%% held by forward-ready", st)
	}
	ev.set(route, func(e *RouteEvidence) { e.Forward.Ready = true })
	tick(t, c)
	if got := shares(t, file, route)[route]; got != 1 {
		t.Errorf("share %v once ready, want 1", got)
	}
}

// promoteTo ticks c until route's share is want.
func promoteTo(t *testing.T, c *Controller, clk *clock, want float64) {
	t.Helper()
	for range 20 {
		tick(t, c)
		if statusOf(t, c, route).Share == want {
			return
		}
		clk.advance(hold)
	}
	t.Fatalf("share never reached %v: %+v", want, statusOf(t, c, route))
}

// TestControllerRollsBackOnEachGate: any failing gate moves the route back
// to its last good step at once, and says which gate.
func TestControllerRollsBackOnEachGate(t *testing.T) {
	broken := errors.New("the write mode no longer writes both stores")
	tests := []struct {
		name   string
		gate   string
		breaks func(e *RouteEvidence)
		reason string
	}{
		{"reverse comparisons fail", "reverse-bound", func(e *RouteEvidence) { e.Reverse.Failures = 20; e.Reverse.UpperBound = 0.03 },
			"20 failures in 5000 are above 0.1% with confidence"},
		{"DynamoDB slower", "latency", func(e *RouteEvidence) { e.DynamoDB.P99 = 100 * time.Millisecond },
			"p99 100 ms is above 1.5 × 10 ms"},
		{"DynamoDB errors", "errors", func(e *RouteEvidence) { e.DynamoDB.Errors = 50 },
			"5% 5xx is more than a point above PostgreSQL's 0.1%"},
		{"user gate", "dual-write", func(e *RouteEvidence) { e.Postgres.Requests = -1 },
			"a gate of the user's fails like the built-in ones"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk, file, ev := newClock(), flagFile(t), newFakeEvidence(route)
			dualWrite := GateFunc("dual-write", func(_ context.Context, _ string, e RouteEvidence) (Verdict, string) {
				if e.Postgres.Requests < 0 {
					return Fail, broken.Error()
				}
				return Pass, "both stores written"
			})
			c := newTestController(t, []string{route}, ev, file, SoleController(), clk, WithGates(dualWrite))
			promoteTo(t, c, clk, 25)

			ev.set(route, tt.breaks)
			tick(t, c)
			st := statusOf(t, c, route)
			if st.Action != ActionRollback || !strings.HasPrefix(st.Why, tt.gate+":") {
				t.Fatalf("status %+v, want a rollback naming %s (%s)", st, tt.gate, tt.reason)
			}
			if got := shares(t, file, route)[route]; got != 5 {
				t.Errorf("share %v after the rollback, want 5, the last good step", got)
			}
		})
	}
}

// TestControllerHoldsAfterRollback: a rolled-back route holds at its good
// step for a full hold of passing gates before it tries again.
func TestControllerHoldsAfterRollback(t *testing.T) {
	clk, file, ev := newClock(), flagFile(t), newFakeEvidence(route)
	c := newTestController(t, []string{route}, ev, file, SoleController(), clk)
	promoteTo(t, c, clk, 25)
	ev.set(route, func(e *RouteEvidence) { e.DynamoDB.P99 = time.Second })
	tick(t, c)
	ev.set(route, func(e *RouteEvidence) { *e = healthy() })
	clk.advance(hold / 2)
	tick(t, c)
	if got := shares(t, file, route)[route]; got != 5 {
		t.Fatalf("share %v halfway through the hold after a rollback, want 5", got)
	}
	clk.advance(hold / 2)
	tick(t, c)
	if got := shares(t, file, route)[route]; got != 25 {
		t.Errorf("share %v after the hold, want 25 again", got)
	}
}

// TestControllerHaltsAfterMaxFailures: the last allowed failure sends the
// route to 0%, where it stays.
func TestControllerHaltsAfterMaxFailures(t *testing.T) {
	clk, file, ev := newClock(), flagFile(t), newFakeEvidence(route)
	c := newTestController(t, []string{route}, ev, file, SoleController(), clk, WithMaxFailures(2))
	promoteTo(t, c, clk, 25)
	ev.set(route, func(e *RouteEvidence) { e.DynamoDB.Errors = 500 })
	tick(t, c) // back to 5%
	tick(t, c) // fails again: second failure
	st := statusOf(t, c, route)
	if !st.Halted || st.Share != 0 {
		t.Fatalf("status %+v after two failures, want halted at 0%%", st)
	}
	ev.set(route, func(e *RouteEvidence) { *e = healthy() })
	for range 3 {
		clk.advance(hold)
		tick(t, c)
	}
	if got := shares(t, file, route)[route]; got != 0 {
		t.Errorf("share %v of a halted route, want 0", got)
	}
}

// TestControllerRoutesAdvanceIndependently: one route's failure moves only
// that route.
func TestControllerRoutesAdvanceIndependently(t *testing.T) {
	const other = "/orders"
	clk, file, ev := newClock(), flagFile(t), newFakeEvidence(route, other)
	c := newTestController(t, []string{route, other}, ev, file, SoleController(), clk)
	promoteTo(t, c, clk, 25)
	ev.set(other, func(e *RouteEvidence) { e.Reverse.Failures = 100 })
	clk.advance(hold)
	tick(t, c)
	got := shares(t, file, route, other)
	if got[route] != 50 || got[other] != 5 {
		t.Errorf("shares %v, want %s promoted to 50 and %s rolled back to 5", got, route, other)
	}
}

// TestControllerResumesFromTheFlagFile: a new controller on the same file
// continues where the last one stopped.
func TestControllerResumesFromTheFlagFile(t *testing.T) {
	clk, file, ev := newClock(), flagFile(t), newFakeEvidence(route)
	first := newTestController(t, []string{route}, ev, file, SoleController(), clk)
	promoteTo(t, first, clk, 25)

	second := newTestController(t, []string{route}, ev, NewFlagFile(file.path), SoleController(), clk)
	tick(t, second)
	st := statusOf(t, second, route)
	if st.Share != 25 || st.Step != 2 || st.Good != 1 {
		t.Fatalf("resumed status %+v, want 25%% at step 2 with step 1 good", st)
	}
	clk.advance(hold)
	tick(t, second)
	if got := shares(t, file, route)[route]; got != 50 {
		t.Errorf("share %v after the resumed hold, want 50", got)
	}
	// A failure after the restart goes back to the step before the resumed one.
	ev.set(route, func(e *RouteEvidence) { e.DynamoDB.P99 = time.Second })
	tick(t, second)
	if got := shares(t, file, route)[route]; got != 25 {
		t.Errorf("share %v after a rollback, want 25", got)
	}
}

// TestControllerNeedsTheLease: without the lease the controller reads no
// evidence and writes nothing; when it takes the lease over it starts from
// the flags, which another controller may have moved.
func TestControllerNeedsTheLease(t *testing.T) {
	clk, file, ev := newClock(), flagFile(t), newFakeEvidence(route)
	lease := &fakeLease{}
	c := newTestController(t, []string{route}, ev, file, lease, clk)
	before, _ := os.ReadFile(file.path)
	if err := c.Tick(context.Background()); !errors.Is(err, ErrNotLeader) {
		t.Fatalf("Tick without the lease = %v, want ErrNotLeader", err)
	}
	after, _ := os.ReadFile(file.path)
	if string(before) != string(after) || ev.reads != 0 || len(c.Status()) != 0 {
		t.Fatalf("without the lease: file changed %v, %d evidence reads, status %v; want nothing", string(before) != string(after), ev.reads, c.Status())
	}

	lease.set(true)
	tick(t, c)
	lease.set(false)
	if err := c.Tick(context.Background()); !errors.Is(err, ErrNotLeader) {
		t.Fatalf("Tick after losing the lease = %v, want ErrNotLeader", err)
	}
	// Meanwhile the leader moved the route to 25%.
	if err := file.SetShares(context.Background(), map[string]float64{route: 25}); err != nil {
		t.Fatal(err)
	}
	lease.set(true)
	tick(t, c)
	if st := statusOf(t, c, route); st.Share != 25 {
		t.Errorf("share %v after taking the lease back, want the flags' 25", st.Share)
	}
}

// TestControllerHoldsWithoutEvidence: a source that fails holds every
// route; a flag file that cannot be written leaves the state as the flags
// say.
func TestControllerHoldsWithoutEvidence(t *testing.T) {
	clk, file, ev := newClock(), flagFile(t), newFakeEvidence(route)
	c := newTestController(t, []string{route}, ev, file, SoleController(), clk)
	promoteTo(t, c, clk, 5)
	ev.err = errDown
	clk.advance(hold)
	tick(t, c)
	if st := statusOf(t, c, route); st.Share != 5 || st.Action != ActionHold {
		t.Errorf("status %+v without evidence, want a hold at 5%%", st)
	}

	ev.err = nil
	if err := os.Remove(file.path); err != nil {
		t.Fatal(err)
	}
	if err := c.Tick(context.Background()); err == nil {
		t.Fatal("Tick with the flag file gone succeeded, want an error")
	}
	if st := statusOf(t, c, route); st.Share != 5 {
		t.Errorf("share %v after a failed write, want 5, what the flags said", st.Share)
	}
}

func TestNewValidates(t *testing.T) {
	ev, file := newFakeEvidence(route), NewFlagFile("unused")
	tests := []struct {
		name      string
		build     func()
		wantInMsg string
		reason    string
	}{
		{"no routes", func() { New(nil, ev, file, SoleController()) }, "route", "nothing to move"},
		{"no evidence", func() { New([]string{route}, nil, file, SoleController()) }, "Evidence", "gates need evidence"},
		{"plan short of 100", func() { New([]string{route}, ev, file, SoleController(), WithPlan(1, 50)) }, "end at 100",
			"a plan that stops early never completes"},
		{"plan falling", func() { New([]string{route}, ev, file, SoleController(), WithPlan(5, 1, 100)) }, "rising",
			"a falling step would move users back"},
		{"no failures allowed", func() { New([]string{route}, ev, file, SoleController(), WithMaxFailures(0)) }, "at least 1",
			"the first failure must be counted"},
		{"bound of 0", func() { ReverseUnder(0) }, "between 0 and 1", "nothing passes a bound of 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				msg, _ := recover().(string)
				if !strings.HasPrefix(msg, "cutover: ") || !strings.Contains(msg, tt.wantInMsg) {
					t.Errorf("panic %q, want a \"cutover: \" message mentioning %q (%s)", msg, tt.wantInMsg, tt.reason)
				}
			}()
			tt.build()
		})
	}
}
