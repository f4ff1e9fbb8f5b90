package backends_test

import (
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/shadowread/shadowread/backends"
)

const window = time.Second

// step advances the fake clock by wait, then notes the given number of
// throttled calls, and expects the level afterwards.
type step struct {
	wait      time.Duration
	notes     int
	wantLevel int
}

func TestThrottleLevel(t *testing.T) {
	// throttling returns the steps of continuous throttling, one note every
	// quarter window, for the given number of windows, the level rising
	// from start once per window.
	throttling := func(start, windows int) []step {
		var steps []step
		for i := range windows * 4 {
			steps = append(steps, step{wait: window / 4, notes: 1, wantLevel: min(start+(i+1)/4, backends.MaxThrottleLevel)})
		}
		return steps
	}
	// toLevel3 throttles every half window until the level is 3, at 2 windows.
	toLevel3 := []step{{0, 1, 1}, {window / 2, 1, 1}, {window / 2, 1, 2}, {window / 2, 1, 2}, {window / 2, 1, 3}}
	tests := []struct {
		name   string
		steps  []step
		reason string
	}{
		{"quiet", []step{{0, 0, 0}, {time.Hour, 0, 0}},
			"a store that never throttles is never backed off"},
		{"first throttle", []step{{0, 1, 1}},
			"the first throttled call halves the shadow traffic at once"},
		{"a burst within a window", []step{{0, 50, 1}, {window / 2, 50, 1}},
			"the level rises once per window however many calls are throttled"},
		{"throttling goes on", append([]step{{0, 1, 1}}, throttling(1, 3)...),
			"each further window of throttling halves the traffic again"},
		{"capped", append([]step{{0, 1, 1}}, throttling(1, 20)...),
			"the level stops at MaxThrottleLevel, so some shadows still run"},
		{"recovery", append(toLevel3, step{window - 1, 0, 3}, step{1, 0, 2}, step{window, 0, 1}, step{window, 0, 0}, step{time.Hour, 0, 0}),
			"each full quiet window lowers the level by one, counted from the last throttled call"},
		{"throttling again while recovering", append(toLevel3, step{2 * window, 0, 1}, step{0, 1, 2}, step{window / 2, 1, 2}),
			"a throttle after a quiet spell raises the level from where it had fallen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				th := backends.NewThrottle(backends.DynamoDB, window)
				for i, s := range tt.steps {
					time.Sleep(s.wait)
					for range s.notes {
						th.Note()
					}
					if got := th.Level(); got != s.wantLevel {
						t.Fatalf("step %d (%+v): level %d, want %d: %s", i, s, got, s.wantLevel, tt.reason)
					}
				}
			})
		})
	}
}

func TestThrottleAdmit(t *testing.T) {
	const calls = 20_000
	tests := []struct {
		name     string
		level    int
		min, max int // admitted calls out of 20,000
		reason   string
	}{
		{"level 0", 0, calls, calls, "no throttling, no back-off"},
		{"level 1", 1, 9_400, 10_600, "half the calls (20,000 × 1/2 ± 8.5 sd)"},
		{"level 3", 3, 2_200, 2_800, "one in eight (2,500 ± 6.3 sd)"},
		{"level 10", backends.MaxThrottleLevel, 1, 60, "one in 1,024 (19.5 ± 9 sd)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				th := backends.NewThrottle(backends.DynamoDB, window)
				for tt.level > 0 && th.Level() < tt.level {
					th.Note() // continuous throttling, a note every half window
					time.Sleep(window / 2)
				}
				if th.Level() != tt.level {
					t.Fatalf("setup reached level %d, want %d", th.Level(), tt.level)
				}
				admitted := 0
				for range calls {
					if th.Admit() {
						admitted++
					}
				}
				if admitted < tt.min || admitted > tt.max {
					t.Errorf("admitted %d of %d, want %d to %d: %s", admitted, calls, tt.min, tt.max, tt.reason)
				}
			})
		})
	}
}

// TestThrottleConcurrentUse notes and admits from many goroutines at once,
// for the race detector.
func TestThrottleConcurrentUse(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		th := backends.NewThrottle(backends.DynamoDB, window)
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for range 1000 {
					th.Note()
					th.Admit()
				}
			})
		}
		wg.Wait()
		if got := th.Level(); got != 1 {
			t.Errorf("level %d after throttling within one window, want 1", got)
		}
	})
}

func TestNewThrottleRejectsMisuse(t *testing.T) {
	tests := []struct {
		name    string
		store   backends.Name
		window  time.Duration
		wantMsg string
	}{
		{"unknown store", "mysql", time.Second, `unknown store`},
		{"zero window", backends.DynamoDB, 0, "window must be positive"},
		{"negative window", backends.DynamoDB, -time.Second, "window must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				msg, _ := recover().(string)
				if !strings.HasPrefix(msg, "backends: NewThrottle") || !strings.Contains(msg, tt.wantMsg) {
					t.Errorf("panic = %q, want a backends: NewThrottle panic containing %q", msg, tt.wantMsg)
				}
			}()
			backends.NewThrottle(tt.store, tt.window)
		})
	}
}
