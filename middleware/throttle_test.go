package middleware_test

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/flags"
	"github.com/shadowread/shadowread/middleware"
	"github.com/shadowread/shadowread/telemetry"
)

// TestThrottleBackoff drives sampled requests while DynamoDB throttles and
// after it stops, on the fake clock of a synctest bubble.
func TestThrottleBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const window = time.Second
		throttle := backends.NewThrottle(backends.DynamoDB, window)
		var primary atomic.Value
		primary.Store(backends.Postgres)
		var shadows atomic.Int32
		rec := newTally()
		s := newShadower(t, rec,
			middleware.WithFlags(flags.DeciderFunc(func(*http.Request, string) flags.Decision {
				p := primary.Load().(backends.Name)
				return flags.Decision{Primary: p, Sampled: true}
			})),
			middleware.WithMaxConcurrent(4096), // every admitted shadow runs
			middleware.WithThrottleBackoff(throttle),
			middleware.WithShadowHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				shadows.Add(1)
				sameAnswer(w, r)
			})))
		h := s.Handler(http.HandlerFunc(sameAnswer))
		// burst serves n requests and returns how many got a shadow and how
		// many were dropped for throttling.
		burst := func(n int) (shadowed, throttled int) {
			before, _ := rec.snapshot()
			shadows.Store(0)
			for range n {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/products/1", nil))
				if w.Code != http.StatusOK {
					t.Fatalf("user got %d", w.Code)
				}
			}
			synctest.Wait() // every shadow has finished
			after, _ := rec.snapshot()
			return int(shadows.Load()), after["dropped/throttled"] - before["dropped/throttled"]
		}
		keepThrottling := func(windows int) {
			for range 2 * windows {
				time.Sleep(window / 2)
				throttle.Note()
			}
		}

		steps := []struct {
			name     string
			setup    func()
			n        int
			min, max int // shadows that ran
			reason   string
		}{
			{"no throttling", func() {}, 1000, 1000, 1000,
				"a store that does not throttle gets every sampled shadow"},
			{"first throttle", throttle.Note, 2000, 850, 1150,
				"the first throttled call halves the shadow reads (1,000 ± 6.7 sd)"},
			{"PostgreSQL shadow", func() { primary.Store(backends.DynamoDB) }, 1000, 1000, 1000,
				"after the switch the shadow reads PostgreSQL: holding it back would not relieve DynamoDB"},
			{"throttling goes on", func() { primary.Store(backends.Postgres); keepThrottling(12) }, 4000, 0, 20,
				"after ten windows of throttling one shadow in 1,024 goes ahead (3.9 ± 2 sd)"},
			{"quiet again", func() { time.Sleep(backends.MaxThrottleLevel * window) }, 1000, 1000, 1000,
				"a quiet window per level brings the shadow reads all the way back"},
		}
		for _, st := range steps {
			st.setup()
			shadowed, throttled := burst(st.n)
			if shadowed < st.min || shadowed > st.max {
				t.Errorf("%s: %d of %d sampled requests shadowed (level %d), want %d to %d: %s",
					st.name, shadowed, st.n, throttle.Level(), st.min, st.max, st.reason)
			}
			if shadowed+throttled != st.n {
				t.Errorf("%s: %d shadowed + %d dropped/throttled, want every one of the %d sampled requests counted",
					st.name, shadowed, throttled, st.n)
			}
		}
		if n := rec.count(telemetry.Match); n == 0 {
			t.Error("no shadow matched: the back-off test never compared anything")
		}
	})
}
