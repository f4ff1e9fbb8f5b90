package middleware_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/middleware"
	"github.com/shadowread/shadowread/telemetry"
)

// stockStores is a product catalog in two stores, each product with a
// stock that writes change in both.
type stockStores struct {
	mu    sync.Mutex
	stock map[backends.Name]map[string]int
}

func newStockStores() *stockStores {
	return &stockStores{stock: map[backends.Name]map[string]int{backends.Postgres: {}, backends.DynamoDB: {}}}
}

// write sets a product's stock in both stores, as a dual write does.
func (s *stockStores) write(id string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stock[backends.Postgres][id] = n
	s.stock[backends.DynamoDB][id] = n
}

// lose sets a product's stock in one store only: a lost update on the other.
func (s *stockStores) lose(store backends.Name, id string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stock[store][id] = n
}

func (s *stockStores) read(store backends.Name, id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stock[store][id]
}

// handler answers a product with its stock in the store the request is
// routed to and a fresh request id. before runs first, on every read.
func (s *stockStores) handler(before func(r *http.Request, id string)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		if before != nil {
			before(r, id)
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":%q,"request_id":"%016x","stock":%d}`, id, rand.Uint64(), s.read(backends.Target(r.Context()), id))
	})
}

// TestWrittenFieldNeverNoise: a hot product written between every two reads
// of it makes its stock differ in its A/A pairs again and again; that never
// teaches the route that stock is noise, and a lost update on another
// product's stock stays a mismatch. The request id, which differs for every
// product, is learned.
func TestWrittenFieldNeverNoise(t *testing.T) {
	stores := newStockStores()
	// A write lands on the hot product between the user's read and the
	// second primary read of every one of its A/A pairs.
	h := stores.handler(func(r *http.Request, id string) {
		if target, role := backends.Routing(r.Context()); id == "hot" && target == backends.Postgres && role == backends.RoleShadow {
			stores.write(id, stores.read(backends.Postgres, id)+1)
		}
	})
	rec := newSpy()
	s := newShadower(t, rec, middleware.WithRecheck(0), middleware.WithComparator(nil), middleware.WithNoiseBaseline(100),
		middleware.WithStart(middleware.StartWithPrimary))
	mux := http.NewServeMux()
	mux.Handle("GET "+noiseRoute, s.Handler(h))
	get := func(id string) telemetry.Event {
		t.Helper()
		mux.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/products/"+id, nil))
		var pair telemetry.Event
		for range 2 {
			if ev := rec.next(t); !ev.NoiseBaseline {
				pair = ev
			}
		}
		return pair
	}
	for i := range 4 * middleware.NoiseWindow {
		id := "hot" // half of the reads go to the hot product
		if i%2 == 1 {
			id = fmt.Sprintf("p%d", i%40)
		}
		get(id)
	}
	if got := s.Noise(noiseRoute); !slices.Equal(got, []string{"request_id"}) {
		t.Fatalf("learned %q, want only request_id: a field that writes change on one product is not noise", got)
	}
	stores.lose(backends.Postgres, "p5", 7) // DynamoDB lost this update
	ev := get("p5")
	if ev.Outcome != telemetry.Mismatch || len(ev.Result.Diffs) != 1 || ev.Result.Diffs[0].Field != "stock" {
		t.Errorf("outcome %q diffs %v noise %q, want a mismatch on stock", ev.Outcome, ev.Result.Diffs, ev.Noise)
	}
}

// TestOwnPairDecides: once a field is learned, a request whose own A/A pair
// shows it equal between two primary reads still mismatches on it.
func TestOwnPairDecides(t *testing.T) {
	var mu sync.Mutex
	fixed := map[string]bool{} // products whose request id is stable
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		mu.Lock()
		stable := fixed[id]
		mu.Unlock()
		reqID := fmt.Sprintf("%016x", rand.Uint64())
		if stable {
			reqID = "same-on-every-read"
			if backends.Target(r.Context()) == backends.DynamoDB {
				reqID = "lost"
			}
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":%q,"request_id":%q}`, id, reqID)
	})
	rec := newSpy()
	s := newShadower(t, rec, middleware.WithRecheck(0), middleware.WithComparator(nil), middleware.WithNoiseBaseline(100))
	serveNoisy(t, s, rec, h, middleware.NoiseMinPairs, middleware.NoiseMinPairs, true)
	if got := s.Noise(noiseRoute); !slices.Equal(got, []string{"request_id"}) {
		t.Fatalf("learned %q, want request_id", got)
	}
	mu.Lock()
	fixed["p3"] = true
	mu.Unlock()
	ev := serveNoisy(t, s, rec, h, 4, 4, true)[3]
	if ev.Outcome != telemetry.Mismatch || len(ev.Noise) != 0 {
		t.Errorf("outcome %q noise %q, want a mismatch with nothing absorbed: the request's own A/A pair showed request_id equal", ev.Outcome, ev.Noise)
	}
}

// TestAAReadFollowsThePrimary: the A/A read happens right after the user's
// primary read, not after the shadow, in both start modes.
func TestAAReadFollowsThePrimary(t *testing.T) {
	for _, start := range []middleware.Start{middleware.StartAfterPrimary, middleware.StartWithPrimary} {
		t.Run(fmt.Sprint(start), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var mu sync.Mutex
				var aaAt time.Time
				begin := time.Now()
				h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					switch target, role := backends.Routing(r.Context()); {
					case target == backends.DynamoDB:
						time.Sleep(3 * time.Second) // a slow shadow
					case role == backends.RoleShadow:
						mu.Lock()
						aaAt = time.Now()
						mu.Unlock()
					default:
						time.Sleep(time.Second) // the user's primary read
					}
					sameAnswer(w, r)
				})
				rec := newSpy()
				s := newShadower(t, rec, middleware.WithNoiseBaseline(100), middleware.WithStart(start),
					middleware.WithTimeout(time.Minute))
				s.Handler(h).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/products/p1", nil))
				rec.next(t)
				rec.next(t)
				mu.Lock()
				defer mu.Unlock()
				if got := aaAt.Sub(begin); got != time.Second {
					t.Errorf("the A/A read ran %v after the request began, want 1s: right after the primary (1s), not after the shadow", got)
				}
			})
		})
	}
}

// TestShadowHandlerFollowsThePrimary: with a separate DynamoDB handler, it
// serves users once DynamoDB is primary, and the wrapped (PostgreSQL)
// handler becomes the shadow, in both start modes and in re-checks.
func TestShadowHandlerFollowsThePrimary(t *testing.T) {
	for _, start := range []middleware.Start{middleware.StartAfterPrimary, middleware.StartWithPrimary} {
		for _, primary := range []backends.Name{backends.Postgres, backends.DynamoDB} {
			t.Run(fmt.Sprintf("%v/%s", start, primary), func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					var mu sync.Mutex
					served := map[string][]backends.Role{}
					handler := func(name string) http.Handler {
						return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
							_, role := backends.Routing(r.Context())
							mu.Lock()
							served[name] = append(served[name], role)
							mu.Unlock()
							fmt.Fprintf(w, `{"handler":%q}`, name)
						})
					}
					rec := newSpy()
					s := newShadower(t, rec, middleware.WithFlags(always(primary, true)), middleware.WithStart(start),
						middleware.WithShadowHandler(handler("dynamodb")), middleware.WithRecheck(time.Second))
					w := httptest.NewRecorder()
					s.Handler(handler("postgres")).ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/products/p1", nil))
					if want := fmt.Sprintf(`{"handler":%q}`, primary); w.Body.String() != want {
						t.Errorf("user got %s, want %s: the handler of the primary store serves users", w.Body, want)
					}
					ev := rec.next(t) // after the re-check
					if ev.Primary != primary || ev.Recheck != telemetry.RecheckConfirmed {
						t.Errorf("event %s→%s re-check %q, want primary %s and a confirmed re-check", ev.Primary, ev.Shadow, ev.Recheck, primary)
					}
					mu.Lock()
					defer mu.Unlock()
					// The user's read, the one at once, three early readings
					// within the delay and one after it.
					want := slices.Repeat([]backends.Role{backends.RolePrimary}, 6)
					if got := served[string(primary)]; !slices.Equal(got, want) {
						t.Errorf("the %s handler ran as %v, want %v: every read of the primary routed as the primary", primary, got, want)
					}
					other := string(primary.Other())
					if got, want := served[other], slices.Repeat([]backends.Role{backends.RoleShadow}, 5); !slices.Equal(got, want) {
						t.Errorf("the %s handler ran as %v, want %v: every read of the shadow routed as the shadow", other, got, want)
					}
				})
			})
		}
	}
}

// TestShadowBehindIsSkipped: a shadow handler that knows its store has not
// caught up for the entity makes the pair skipped, not a mismatch.
func TestShadowBehindIsSkipped(t *testing.T) {
	rec := newSpy()
	s := newShadower(t, rec, middleware.WithRecheck(0), middleware.WithShadowHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		middleware.ShadowBehind(r.Context())
		w.Write([]byte(`{"stock":1}`))
	})))
	s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		middleware.ShadowBehind(r.Context()) // the user's run: no effect
		w.Write([]byte(`{"stock":2}`))
	})).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/products/p1", nil))
	if ev := rec.next(t); ev.Outcome != telemetry.Skipped || ev.Reason != telemetry.ReasonShadowBehind {
		t.Errorf("outcome %q/%q, want skipped/shadow_behind", ev.Outcome, ev.Reason)
	}
	middleware.ShadowBehind(t.Context()) // outside any Shadower: nothing happens
}

// TestMismatchGetsItsOwnPair: with the noise baseline on, a mismatch
// without an A/A pair of its own gets one at once (two reads of the primary,
// back to back) and its re-check another, so a request id the route has not
// learned yet is absorbed on evidence from the request itself, while a real
// drift beside it stays a mismatch.
func TestMismatchGetsItsOwnPair(t *testing.T) {
	tests := []struct {
		drift       bool
		want        telemetry.Outcome
		wantRecheck telemetry.RecheckResult
		wantAA      int // A/A events: the immediate pair, and the re-check's
		reason      string
	}{
		{false, telemetry.Match, telemetry.RecheckNone, 1, "the immediate A/A pair proves the request id noise: a match, no re-check needed"},
		{true, telemetry.Mismatch, telemetry.RecheckConfirmed, 2, "the price differs where two reads of the primary agree: a mismatch, confirmed by the re-check"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint("drift=", tt.drift), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					price := 12
					if tt.drift && backends.Target(r.Context()) == backends.DynamoDB {
						price = 13
					}
					w.Header().Set("Content-Type", "application/json")
					fmt.Fprintf(w, `{"id":"p1","request_id":"%016x","price":%d}`, rand.Uint64(), price)
				})
				rec := newSpy()
				// A share so small that the user's read never has an A/A pair.
				s := newShadower(t, rec, middleware.WithComparator(nil), middleware.WithNoiseBaseline(1e-9),
					middleware.WithRecheck(time.Second))
				s.Handler(h).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/products/p1", nil))
				aa := 0
				var ev telemetry.Event
				for {
					if ev = rec.next(t); !ev.NoiseBaseline {
						break
					}
					aa++
					if ev.Outcome != telemetry.Mismatch || ev.Result.Diffs[0].Field != "request_id" {
						t.Errorf("A/A event %q %v, want a mismatch on request_id", ev.Outcome, ev.Result.Diffs)
					}
				}
				synctest.Wait()
				rec.none(t)
				if ev.Outcome != tt.want || ev.Recheck != tt.wantRecheck || !slices.Equal(ev.Noise, []string{"request_id"}) || aa != tt.wantAA {
					t.Errorf("outcome %q re-check %q noise %q diffs %v after %d A/A pairs, want %q, %q, request_id absorbed, %d pairs: %s",
						ev.Outcome, ev.Recheck, ev.Noise, ev.Result.Diffs, aa, tt.want, tt.wantRecheck, tt.wantAA, tt.reason)
				}
			})
		})
	}
}
