package middleware_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"go.opentelemetry.io/otel"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/middleware"
	"github.com/shadowread/shadowread/telemetry"
)

const noiseRoute = "/products/{id}"

// noisyProduct answers with a fresh request id on every call, as many
// services do; drift makes DynamoDB's price differ.
func noisyProduct(drift *atomic.Bool, noisy *atomic.Bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		price := "12.5"
		if drift.Load() && backends.Target(r.Context()) == backends.DynamoDB {
			price = "13.5"
		}
		id := "fixed"
		if noisy.Load() {
			id = fmt.Sprintf("%016x", rand.Uint64())
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":%q,"request_id":%q,"price":%s}`, r.PathValue("id"), id, price)
	}
}

// serveNoisy serves n requests spread over entities products and returns
// the primary-vs-shadow events in order, checking the A/A events on the way.
func serveNoisy(t *testing.T, s *middleware.Shadower, rec *spy, h http.Handler, n, entities int, baseline bool) []telemetry.Event {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("GET "+noiseRoute, s.Handler(h))
	var pairs []telemetry.Event
	for i := range n {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, fmt.Sprintf("/products/p%d", i%entities), nil))
		if w.Code != http.StatusOK {
			t.Fatalf("user got %d", w.Code)
		}
		if baseline {
			aa := rec.next(t)
			if !aa.NoiseBaseline || aa.Primary != backends.Postgres || aa.Shadow != backends.Postgres {
				t.Fatalf("first event %+v, want the A/A event of PostgreSQL against itself", aa)
			}
		}
		ev := rec.next(t)
		if ev.NoiseBaseline {
			t.Fatalf("a second A/A event for one request: %+v", ev)
		}
		pairs = append(pairs, ev)
	}
	rec.none(t)
	return pairs
}

// ready reports whether the last k pairs all matched: with a handler whose
// only real difference is nondeterministic, that is what readiness needs.
func ready(pairs []telemetry.Event, k int) bool {
	if len(pairs) < k {
		return false
	}
	for _, ev := range pairs[len(pairs)-k:] {
		if ev.Outcome != telemetry.Match {
			return false
		}
	}
	return true
}

func TestNoiseBaseline(t *testing.T) {
	tests := []struct {
		name      string
		baseline  bool
		drift     bool
		entities  int
		wantReady bool
		wantNoise []string // learned by the route
		wantLast  telemetry.Outcome
		reason    string
	}{
		{name: "baseline on", baseline: true, entities: 30, wantReady: true, wantNoise: []string{"request_id"}, wantLast: telemetry.Match,
			reason: "the request id differs between two reads of every product, so it is learned as noise and absorbed"},
		{name: "one entity", baseline: true, entities: 1, wantReady: true, wantLast: telemetry.Match,
			reason: "one product read again and again never teaches the route; each request's own A/A pair still proves its request id noise"},
		{name: "baseline off", baseline: false, entities: 30, wantReady: false, wantLast: telemetry.Mismatch,
			reason: "without the baseline every pair differs in its request id, and the route never looks ready"},
		{name: "real drift", baseline: true, drift: true, entities: 30, wantReady: false, wantNoise: []string{"request_id"}, wantLast: telemetry.Mismatch,
			reason: "a difference on a field that does not differ between two reads of one store still mismatches"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var drift, noisy atomic.Bool
			drift.Store(tt.drift)
			noisy.Store(true)
			rec := newSpy()
			opts := []middleware.Option{middleware.WithRecheck(0), middleware.WithComparator(nil)}
			if tt.baseline {
				opts = append(opts, middleware.WithNoiseBaseline(100))
			}
			s := newShadower(t, rec, opts...)
			var aaRuns atomic.Int32
			h := noisyProduct(&drift, &noisy)
			counted := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if target, role := backends.Routing(r.Context()); target == backends.Postgres && role == backends.RoleShadow {
					aaRuns.Add(1)
				}
				h(w, r)
			})
			pairs := serveNoisy(t, s, rec, counted, 30, tt.entities, tt.baseline)
			if want := map[bool]int32{true: 30, false: 0}[tt.baseline]; aaRuns.Load() != want {
				t.Errorf("the primary ran %d times as a shadow of itself, want %d", aaRuns.Load(), want)
			}
			if got := ready(pairs, 10); got != tt.wantReady {
				t.Errorf("ready after 30 requests: %v, want %v: %s", got, tt.wantReady, tt.reason)
			}
			if got := s.Noise(noiseRoute); !slices.Equal(got, tt.wantNoise) {
				t.Errorf("Noise(%q) = %q, want %q: %s", noiseRoute, got, tt.wantNoise, tt.reason)
			}
			last := pairs[len(pairs)-1]
			wantAbsorbed := []string(nil)
			if tt.baseline {
				wantAbsorbed = []string{"request_id"}
			}
			if last.Outcome != tt.wantLast || !slices.Equal(last.Noise, wantAbsorbed) {
				t.Errorf("last pair: outcome %q noise %q, want %q and %q: %s", last.Outcome, last.Noise, tt.wantLast, wantAbsorbed, tt.reason)
			}
			if tt.drift {
				if len(last.Result.Diffs) != 1 || last.Result.Diffs[0].Path != "price" {
					t.Errorf("diffs %v, want only the price: absorbed noise is left out of a mismatch", last.Result.Diffs)
				}
			}
		})
	}
}

// TestNoiseDecays: a field that stops differing between two reads of the
// same store is forgotten within the window, and counts again.
func TestNoiseDecays(t *testing.T) {
	var drift, noisy atomic.Bool
	noisy.Store(true)
	rec := newSpy()
	s := newShadower(t, rec, middleware.WithRecheck(0), middleware.WithComparator(nil), middleware.WithNoiseBaseline(100))
	h := noisyProduct(&drift, &noisy)
	serveNoisy(t, s, rec, h, middleware.NoiseWindow, 32, true)
	if got := s.Noise(noiseRoute); !slices.Equal(got, []string{"request_id"}) {
		t.Fatalf("Noise = %q after a noisy phase, want request_id", got)
	}
	noisy.Store(false)
	serveNoisy(t, s, rec, h, middleware.NoiseWindow/5, 32, true)
	if got := s.Noise(noiseRoute); len(got) != 0 {
		t.Errorf("Noise = %q after %d quiet pairs of %d, want nothing: the request id stopped differing", got, middleware.NoiseWindow/5, middleware.NoiseWindow)
	}
}

// TestNoiseIsBounded: an A/A pair whose every field is random contributes
// at most MaxNoiseFields of them.
func TestNoiseIsBounded(t *testing.T) {
	rec := newSpy()
	s := newShadower(t, rec, middleware.WithRecheck(0), middleware.WithNoiseBaseline(100),
		middleware.WithComparator(comparator.JSON(comparator.MaxDiffs(10*middleware.MaxNoiseFields))))
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b strings.Builder
		b.WriteString("{")
		for i := range 3 * middleware.MaxNoiseFields {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `"f%d":%d`, i, rand.Uint64())
		}
		b.WriteString("}")
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, b.String())
	})
	serveNoisy(t, s, rec, h, middleware.NoiseMinPairs, middleware.NoiseMinPairs, true)
	if got := len(s.Noise(noiseRoute)); got != middleware.MaxNoiseFields {
		t.Errorf("%d fields learned from %d random ones, want the bound, %d", got, 3*middleware.MaxNoiseFields, middleware.MaxNoiseFields)
	}
}

// TestNoiseBaselineOffTheUsersPath: the second primary run happens in the
// shadow's goroutine; a slow one never delays the user.
func TestNoiseBaselineOffTheUsersPath(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newSpy()
		s := newShadower(t, rec, middleware.WithNoiseBaseline(100), middleware.WithComparator(nil),
			middleware.WithTimeout(time.Minute))
		h := s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if target, role := backends.Routing(r.Context()); target == backends.Postgres && role == backends.RoleShadow {
				time.Sleep(time.Second) // the A/A run is slow
			}
			sameAnswer(w, r)
		}))
		start := time.Now()
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/products/p1", nil))
		if waited := time.Since(start); waited != 0 {
			t.Errorf("the user's request took %v on the fake clock, want 0", waited)
		}
		if aa := rec.next(t); !aa.NoiseBaseline || aa.Outcome != telemetry.Match {
			t.Errorf("first event %+v, want the matching A/A event", aa)
		}
		if ev := rec.next(t); ev.NoiseBaseline || ev.Outcome != telemetry.Match {
			t.Errorf("second event %+v, want the matching pair", ev)
		}
	})
}

// panickyBaselineRecorder panics when it records an A/A event.
type panickyBaselineRecorder struct{ *spy }

func (p panickyBaselineRecorder) Record(ctx context.Context, e telemetry.Event) {
	if e.NoiseBaseline {
		panic("recorder broke")
	}
	p.spy.Record(ctx, e)
}

// TestNoiseBaselineFailureKeepsThePair: a recorder that panics on the A/A
// event does not cost the shadow's own verdict.
func TestNoiseBaselineFailureKeepsThePair(t *testing.T) {
	defer otel.SetErrorHandler(otel.GetErrorHandler())
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(error) {}))
	rec := newSpy()
	s := newShadower(t, panickyBaselineRecorder{rec}, middleware.WithNoiseBaseline(100), middleware.WithComparator(nil))
	s.Handler(http.HandlerFunc(sameAnswer)).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/products/p1", nil))
	if ev := rec.next(t); ev.NoiseBaseline || ev.Outcome != telemetry.Match {
		t.Errorf("event %+v, want the pair's match", ev)
	}
}
