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
)

// TestLatencyGuard drives a route whose primary runs three times slower
// while shadows run (as when shadow reads take the CPUs), on the fake clock
// of a synctest bubble, and checks that the guard backs the shadows off and
// lets them back once the primary is fast again.
func TestLatencyGuard(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const (
			window = time.Second
			route  = middleware.Unmatched
		)
		var sampled, contended atomic.Bool
		rec := newTally()
		var s *middleware.Shadower
		s = newShadower(t, rec,
			middleware.WithFlags(flags.DeciderFunc(func(*http.Request, string) flags.Decision {
				return flags.Decision{Primary: backends.Postgres, Sampled: sampled.Load()}
			})),
			middleware.WithMaxConcurrent(4096),
			middleware.WithLatencyGuard(1.2, window),
			middleware.WithShadowHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				time.Sleep(50 * time.Millisecond)
				sameAnswer(w, r)
			})))
		h := s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			d := 10 * time.Millisecond
			if contended.Load() && s.InFlight() > 0 {
				d = 30 * time.Millisecond
			}
			time.Sleep(d)
			sameAnswer(w, r)
		}))
		// serveFor serves requests one after the other for the duration.
		serveFor := func(d time.Duration) {
			for end := time.Now().Add(d); time.Now().Before(end); {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/products/1", nil))
				if w.Code != http.StatusOK {
					t.Fatalf("user got %d", w.Code)
				}
			}
			synctest.Wait()
		}
		dropped := func() int {
			counts, _ := rec.snapshot()
			return counts["dropped/latency_guard"]
		}

		steps := []struct {
			name      string
			sampled   bool
			contended bool
			d         time.Duration
			minShare  float64
			maxShare  float64
			drops     string // "none", "some", or "" for either
			reason    string
		}{
			{"baseline", false, true, 5 * window, 1, 1, "none",
				"no shadow runs, so the primary keeps its own latency and the guard has nothing to hold back"},
			{"shadows without harm", true, false, 5 * window, 1, 1, "none",
				"shadows that do not slow the primary are never held back"},
			{"shadows slow the primary", true, true, 3*window + window/2, 0, 1.0 / 8, "some",
				"three windows with the primary 3x slower beside shadows halve the share three times"},
			{"primary fast again", true, false, 40 * window, 1, 1, "",
				"once the primary is as fast beside shadows as without, the share doubles back per window"},
		}
		for _, st := range steps {
			sampled.Store(st.sampled)
			contended.Store(st.contended)
			before := dropped()
			serveFor(st.d)
			share := s.LatencyGuardShare(route)
			if share < st.minShare || share > st.maxShare {
				t.Errorf("%s: share %v, want %v to %v: %s", st.name, share, st.minShare, st.maxShare, st.reason)
			}
			switch n := dropped() - before; {
			case st.drops == "none" && n > 0:
				t.Errorf("%s: %d sampled requests dropped with reason latency_guard, want none: %s", st.name, n, st.reason)
			case st.drops == "some" && n == 0:
				t.Errorf("%s: no sampled request dropped with reason latency_guard: %s", st.name, st.reason)
			}
		}
		if got := s.LatencyGuardShare("/never/served"); got != 1 {
			t.Errorf("share of a route never served = %v, want 1", got)
		}
	})
}

// TestLatencyGuardUnsampledAllocatesNothing: with the guard on, a request
// that is not sampled is timed without allocating.
func TestLatencyGuardUnsampledAllocatesNothing(t *testing.T) {
	s := newShadower(t, newSpy(),
		middleware.WithFlags(always(backends.Postgres, false)),
		middleware.WithLatencyGuard(1.2, time.Second))
	h := s.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	req := httptest.NewRequest(http.MethodGet, "/products/1", nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req) // the route's figures are made on its first request
	if allocs := testing.AllocsPerRun(100, func() { h.ServeHTTP(w, req) }); allocs != 0 {
		t.Errorf("%v allocations per unsampled request with the guard on, want 0", allocs)
	}
}

func TestLatencyGuardShareWithoutGuard(t *testing.T) {
	s := newShadower(t, newSpy())
	if got := s.LatencyGuardShare("/products/{id}"); got != 1 {
		t.Errorf("share without the guard = %v, want 1", got)
	}
}
