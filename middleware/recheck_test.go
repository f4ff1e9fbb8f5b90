package middleware_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/middleware"
	"github.com/shadowread/shadowread/telemetry"
)

// sides is a pair of scripted handlers: each answers by the number of its
// call, and notes when it was called.
type sides struct {
	mu                      sync.Mutex
	primaryAt, shadowAt     []time.Time
	primaryRole, shadowRole []backends.Role
	primaryRecheck          []bool
	primary, shadow         func(call int, w http.ResponseWriter, r *http.Request)
}

func (s *sides) primaryHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		call := len(s.primaryAt)
		s.primaryAt = append(s.primaryAt, time.Now())
		_, role := backends.Routing(r.Context())
		s.primaryRole = append(s.primaryRole, role)
		s.primaryRecheck = append(s.primaryRecheck, middleware.IsRecheck(r.Context()))
		s.mu.Unlock()
		s.primary(call, w, r)
	})
}

func (s *sides) shadowHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		call := len(s.shadowAt)
		s.shadowAt = append(s.shadowAt, time.Now())
		_, role := backends.Routing(r.Context())
		s.shadowRole = append(s.shadowRole, role)
		s.mu.Unlock()
		s.shadow(call, w, r)
	})
}

func (s *sides) calls() (primary, shadow int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.primaryAt), len(s.shadowAt)
}

// answer writes a JSON body.
func answer(body string) func(int, http.ResponseWriter, *http.Request) {
	return func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, body)
	}
}

// firstThen answers with first on the first call and with then afterwards.
func firstThen(first, then func(int, http.ResponseWriter, *http.Request)) func(int, http.ResponseWriter, *http.Request) {
	return func(call int, w http.ResponseWriter, r *http.Request) {
		if call == 0 {
			first(call, w, r)
			return
		}
		then(call, w, r)
	}
}

// inTurn answers with the JSON bodies in turn, one per call, and with the
// last one after them.
func inTurn(bodies ...string) func(int, http.ResponseWriter, *http.Request) {
	return func(call int, w http.ResponseWriter, r *http.Request) {
		answer(bodies[min(call, len(bodies)-1)])(call, w, r)
	}
}

func TestRecheck(t *testing.T) {
	const after = 100 * time.Millisecond
	tests := []struct {
		name            string
		primary, shadow func(int, http.ResponseWriter, *http.Request)
		opts            []middleware.Option
		want            telemetry.Outcome
		wantRecheck     telemetry.RecheckResult
		wantReason      telemetry.Reason
		wantPath        string // the one difference the event reports
		wantCalls       [2]int // runs of the primary and of the shadow
		reason          string
	}{
		{
			name:    "shadow lagged",
			primary: answer(`{"id":"p1","price":13}`),
			shadow:  firstThen(answer(`{"id":"p1","price":12}`), answer(`{"id":"p1","price":13}`)),
			want:    telemetry.Transient, wantRecheck: telemetry.RecheckTransient, wantReason: telemetry.ReasonShadowLagged, wantPath: "price", wantCalls: [2]int{3, 2},
			reason: "the shadow's answer at the first early reading equals the primary's first: its store caught up with a write, a timing difference",
		},
		{
			name:    "write landed between the reads",
			primary: firstThen(answer(`{"id":"p1","price":13}`), answer(`{"id":"p1","price":14}`)),
			shadow:  answer(`{"id":"p1","price":14}`),
			want:    telemetry.Transient, wantRecheck: telemetry.RecheckTransient, wantReason: telemetry.ReasonWriteRaced, wantPath: "price", wantCalls: [2]int{2, 1},
			reason: "the shadow's first answer equals the primary's answer read at once: a write landed between the two first reads, known without waiting",
		},
		{
			name:    "second write within the delay",
			primary: inTurn(`{"id":"p1","price":13}`, `{"id":"p1","price":14}`, `{"id":"p1","price":15}`),
			shadow:  inTurn(`{"id":"p1","price":14}`, `{"id":"p1","price":15}`),
			want:    telemetry.Transient, wantRecheck: telemetry.RecheckTransient, wantReason: telemetry.ReasonWriteRaced, wantPath: "price", wantCalls: [2]int{2, 1},
			reason: "the shadow's first answer (14) equals the primary's answer read at once, before a second write (15) reached both stores",
		},
		{
			name:    "write reached the primary within the delay, then a second write",
			primary: inTurn(`{"id":"p1","price":13}`, `{"id":"p1","price":13}`, `{"id":"p1","price":14}`, `{"id":"p1","price":15}`),
			shadow:  inTurn(`{"id":"p1","price":14}`, `{"id":"p1","price":15}`),
			want:    telemetry.Transient, wantRecheck: telemetry.RecheckTransient, wantReason: telemetry.ReasonWriteRaced, wantPath: "price", wantCalls: [2]int{3, 1},
			reason: "the primary's answer at the first early reading (14) equals the shadow's first: the write that explains it, seen before the second (15) reached both stores",
		},
		{
			name:    "shadow caught up within the delay, then a second write",
			primary: inTurn(`{"id":"p1","price":13}`, `{"id":"p1","price":13}`, `{"id":"p1","price":13}`, `{"id":"p1","price":14}`),
			shadow:  inTurn(`{"id":"p1","price":12}`, `{"id":"p1","price":13}`, `{"id":"p1","price":14}`),
			want:    telemetry.Transient, wantRecheck: telemetry.RecheckTransient, wantReason: telemetry.ReasonShadowLagged, wantPath: "price", wantCalls: [2]int{3, 2},
			reason: "the shadow's answer at the first early reading (13) equals the primary's first: it lagged, and caught up before the second write (14)",
		},
		{
			name:    "lost update repaired by a later write",
			primary: firstThen(answer(`{"id":"p1","price":13}`), answer(`{"id":"p1","price":15}`)),
			shadow:  firstThen(answer(`{"id":"p1","price":12}`), answer(`{"id":"p1","price":15}`)),
			want:    telemetry.Mismatch, wantRecheck: telemetry.RecheckRepaired, wantPath: "price", wantCalls: [2]int{6, 5},
			reason: "the shadow's first answer (12) equals no answer of the primary (13, 15, 15): data was lost, even though a later write, which the primary's answer read at once already shows, repaired it",
		},
		{
			name:    "drift stays",
			primary: answer(`{"id":"p1","name":"shirt","price":13}`),
			shadow:  firstThen(answer(`{"id":"p1","name":"shirt","price":12}`), answer(`{"id":"p1","name":"shirt!","price":13}`)),
			want:    telemetry.Mismatch, wantRecheck: telemetry.RecheckConfirmed, wantPath: "name", wantCalls: [2]int{6, 5},
			reason: "a pair that still differs is a mismatch, reported with the second pair's differences",
		},
		{
			name:    "shadow fails on the re-check",
			primary: answer(`{"id":"p1","price":13}`),
			shadow: firstThen(answer(`{"id":"p1","price":12}`), func(_ int, w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(http.StatusServiceUnavailable)
			}),
			want: telemetry.Mismatch, wantRecheck: telemetry.RecheckFailed, wantPath: "price", wantCalls: [2]int{6, 5},
			reason: "a re-check that cannot compare leaves the first verdict standing",
		},
		{
			name: "primary panics on the re-check",
			primary: firstThen(answer(`{"id":"p1","price":13}`), func(int, http.ResponseWriter, *http.Request) {
				panic("primary broke")
			}),
			shadow: answer(`{"id":"p1","price":12}`),
			want:   telemetry.Mismatch, wantRecheck: telemetry.RecheckFailed, wantPath: "price", wantCalls: [2]int{6, 4},
			reason: "every later run of the primary failed and the shadow's early answers equal no primary answer; the last reading stops at the primary's failure, and the first verdict stands",
		},
		{
			name:    "shadow times out on the re-check",
			primary: answer(`{"id":"p1","price":13}`),
			shadow: firstThen(answer(`{"id":"p1","price":12}`), func(_ int, _ http.ResponseWriter, r *http.Request) {
				<-r.Context().Done()
			}),
			opts: []middleware.Option{middleware.WithTimeout(time.Second)},
			want: telemetry.Mismatch, wantRecheck: telemetry.RecheckFailed, wantPath: "price", wantCalls: [2]int{6, 5},
			reason: "the re-check runs within the shadow's timeout",
		},
		{
			name:    "shadow ends its goroutine on the re-check",
			primary: answer(`{"id":"p1","price":13}`),
			shadow: firstThen(answer(`{"id":"p1","price":12}`), func(int, http.ResponseWriter, *http.Request) {
				runtime.Goexit()
			}),
			want: telemetry.Mismatch, wantRecheck: telemetry.RecheckFailed, wantPath: "price", wantCalls: [2]int{3, 2},
			reason: "however the re-check ends, its event is recorded once, with the first verdict",
		},
		{
			name:    "matching pair",
			primary: answer(`{"id":"p1","price":13}`),
			shadow:  answer(`{"id":"p1","price":13}`),
			want:    telemetry.Match, wantRecheck: telemetry.RecheckNone, wantCalls: [2]int{1, 1},
			reason: "only mismatches are read again",
		},
		{
			name:    "re-checks off",
			primary: answer(`{"id":"p1","price":13}`),
			shadow:  firstThen(answer(`{"id":"p1","price":12}`), answer(`{"id":"p1","price":13}`)),
			opts:    []middleware.Option{middleware.WithRecheck(0)},
			want:    telemetry.Mismatch, wantRecheck: telemetry.RecheckNone, wantPath: "price", wantCalls: [2]int{1, 1},
			reason: "WithRecheck(0) turns re-checks off",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				sd := &sides{primary: tt.primary, shadow: tt.shadow}
				rec := newSpy()
				opts := append([]middleware.Option{
					middleware.WithComparator(comparator.JSON()),
					middleware.WithShadowHandler(sd.shadowHandler()),
					middleware.WithRecheck(after),
				}, tt.opts...)
				s := newShadower(t, rec, opts...)
				w := httptest.NewRecorder()
				start := time.Now()
				s.Handler(sd.primaryHandler()).ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/products/p1", nil))
				if w.Code != http.StatusOK {
					t.Fatalf("user got %d", w.Code)
				}
				if waited := time.Since(start); waited != 0 {
					t.Errorf("the user's request took %v on the fake clock, want 0: a re-check never delays it", waited)
				}
				ev := rec.next(t)
				if ev.Outcome != tt.want || ev.Recheck != tt.wantRecheck || ev.Reason != tt.wantReason {
					t.Fatalf("outcome %q/%q re-check %q (diffs %v), want %q/%q and %q: %s",
						ev.Outcome, ev.Reason, ev.Recheck, ev.Result.Diffs, tt.want, tt.wantReason, tt.wantRecheck, tt.reason)
				}
				if tt.wantPath != "" && (len(ev.Result.Diffs) != 1 || ev.Result.Diffs[0].Path != tt.wantPath) {
					t.Errorf("diffs %v, want one at %s: %s", ev.Result.Diffs, tt.wantPath, tt.reason)
				}
				synctest.Wait()
				rec.none(t)
				primaryCalls, shadowCalls := sd.calls()
				if got := [2]int{primaryCalls, shadowCalls}; got != tt.wantCalls {
					t.Errorf("primary and shadow ran %v times, want %v: %s", got, tt.wantCalls, tt.reason)
				}
				// The primary is read at once, then both sides early within
				// the delay (1/8, 1/4, 1/2 of it) and after it.
				primaryAt := []time.Duration{0, 0, after / 8, after / 4, after / 2, after}
				shadowAt := []time.Duration{0, after / 8, after / 4, after / 2, after}
				for i, at := range sd.primaryAt {
					if d := at.Sub(sd.primaryAt[0]); d < primaryAt[i] || (tt.opts == nil && d != primaryAt[i]) {
						t.Errorf("the primary's run %d came %v after the first, want %v", i+1, d, primaryAt[i])
					}
				}
				for i, at := range sd.shadowAt {
					if d := at.Sub(sd.primaryAt[0]); d < shadowAt[i] || (tt.opts == nil && d != shadowAt[i]) {
						t.Errorf("the shadow's run %d came %v after the primary's first, want %v", i+1, d, shadowAt[i])
					}
				}
				for i, role := range sd.primaryRole[1:] {
					if role != backends.RolePrimary {
						t.Errorf("the primary's run %d had role %q, want primary as in its first run", i+2, role)
					}
				}
				for i, recheck := range sd.primaryRecheck {
					if recheck != (i > 0) {
						t.Errorf("IsRecheck in the primary's runs: %v, want false for the user's only", sd.primaryRecheck)
						break
					}
				}
				for i, role := range sd.shadowRole[1:] {
					if role != backends.RoleShadow {
						t.Errorf("the shadow's run %d had role %q, want shadow", i+2, role)
					}
				}
			})
		})
	}
}

// TestRecheckNeverQueues: a re-check due while every slot is busy is given
// up, and the first verdict stands.
func TestRecheckNeverQueues(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		sd := &sides{
			primary: func(call int, w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, `{"price":13}`)
			},
			shadow: func(call int, w http.ResponseWriter, r *http.Request) {
				if call == 1 { // the second request's shadow holds the only slot
					<-release
				}
				io.WriteString(w, `{"price":12}`)
			},
		}
		rec := newSpy()
		s := newShadower(t, rec,
			middleware.WithComparator(comparator.JSON()),
			middleware.WithShadowHandler(sd.shadowHandler()),
			middleware.WithMaxConcurrent(1),
			middleware.WithTimeout(time.Minute))
		h := s.Handler(sd.primaryHandler())
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/products/p1", nil))
		synctest.Wait() // the first pair mismatched; its re-check waits
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/products/p1", nil))
		ev := rec.next(t)
		if ev.Outcome != telemetry.Mismatch || ev.Recheck != telemetry.RecheckDropped {
			t.Errorf("outcome %q re-check %q, want mismatch and dropped: no slot was free when the re-check was due", ev.Outcome, ev.Recheck)
		}
		close(release)
		synctest.Wait()
		if _, shadowCalls := sd.calls(); shadowCalls < 2 {
			t.Fatalf("shadow ran %d times", shadowCalls)
		}
	})
}

// TestCloseGivesUpWaitingRechecks: Close does not sit out the delay of a
// re-check that has not started; the first verdict is recorded at once.
func TestCloseGivesUpWaitingRechecks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sd := &sides{primary: answer(`{"price":13}`), shadow: answer(`{"price":12}`)}
		rec := newSpy()
		s := newShadower(t, rec,
			middleware.WithComparator(comparator.JSON()),
			middleware.WithShadowHandler(sd.shadowHandler()),
			middleware.WithRecheck(time.Hour))
		s.Handler(sd.primaryHandler()).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
		synctest.Wait()
		rec.none(t)
		start := time.Now()
		if err := s.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		if waited := time.Since(start); waited != 0 {
			t.Errorf("Close waited %v for a re-check that had not started", waited)
		}
		ev := rec.next(t)
		if ev.Outcome != telemetry.Mismatch || ev.Recheck != telemetry.RecheckDropped {
			t.Errorf("outcome %q re-check %q, want mismatch and dropped", ev.Outcome, ev.Recheck)
		}
		if p, sh := sd.calls(); p != 2 || sh != 1 {
			t.Errorf("primary ran %d times, shadow %d, want twice (the user's read and the one at once, both before the delay) and once", p, sh)
		}
	})
}

// TestCloseWaitsForRunningRechecks: a re-check that is reading when Close
// is called is waited for like a shadow.
func TestCloseWaitsForRunningRechecks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		sd := &sides{
			primary: answer(`{"price":13}`),
			// The shadow's first answer and its early readings within the
			// delay differ; its reading after the delay waits.
			shadow: func(call int, w http.ResponseWriter, r *http.Request) {
				if call == 4 { // after the user's run and three early readings
					<-release
				}
				answer(`{"price":12}`)(call, w, r)
			},
		}
		rec := newSpy()
		s := newShadower(t, rec,
			middleware.WithComparator(comparator.JSON()),
			middleware.WithShadowHandler(sd.shadowHandler()),
			middleware.WithTimeout(time.Hour))
		s.Handler(sd.primaryHandler()).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
		time.Sleep(middleware.DefaultRecheckAfter)
		synctest.Wait() // the re-check is reading the shadow
		closed := make(chan error, 1)
		go func() { closed <- s.Close(context.Background()) }()
		synctest.Wait()
		select {
		case err := <-closed:
			t.Fatalf("Close returned %v while a re-check was reading", err)
		default:
		}
		close(release)
		if err := <-closed; err != nil {
			t.Fatal(err)
		}
		if ev := rec.next(t); ev.Recheck == telemetry.RecheckNone || ev.Recheck == telemetry.RecheckDropped {
			t.Errorf("re-check %q, want the result of the re-check that ran", ev.Recheck)
		}
		if got := s.InFlight(); got != 0 {
			t.Errorf("%d shadows in flight after Close", got)
		}
	})
}
