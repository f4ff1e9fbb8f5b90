package middleware_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/middleware"
	"github.com/shadowread/shadowread/telemetry"
)

func TestNotSampledRunsOnceAgainstPrimary(t *testing.T) {
	tests := []struct {
		name    string
		primary backends.Name
		reason  string
	}{
		{"postgres primary", backends.Postgres, "before the switch PostgreSQL serves every request"},
		{"dynamodb primary", backends.DynamoDB, "after the switch the flag routes unsampled requests to DynamoDB too"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newSpy()
			s := newShadower(t, rec, middleware.WithFlags(always(tt.primary, false)))
			var calls atomic.Int32
			h := s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				if backends.IsShadow(r.Context()) {
					t.Error("unsampled request ran as a shadow")
				}
				byBackend(w, r)
			}))
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/products/1", nil))
			if got := w.Header().Get("X-Backend"); got != string(tt.primary) {
				t.Errorf("served by %q, want %q (%s)", got, tt.primary, tt.reason)
			}
			if err := s.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
			if calls.Load() != 1 {
				t.Errorf("handler ran %d times, want 1", calls.Load())
			}
			rec.none(t)
		})
	}
}

func TestSampledUserGetsPrimaryResponse(t *testing.T) {
	rec := newSpy()
	s := newShadower(t, rec)
	h := s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Backend", string(backends.Target(r.Context())))
		w.Header().Set("Cache-Control", "max-age=60")
		if backends.IsShadow(r.Context()) {
			w.WriteHeader(http.StatusTeapot)
			io.WriteString(w, "shadow body")
			return
		}
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, "primary body")
	}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/products/1", nil))

	if w.Code != http.StatusCreated || w.Body.String() != "primary body" ||
		w.Header().Get("X-Backend") != "postgres" || w.Header().Get("Cache-Control") != "max-age=60" {
		t.Errorf("user got %d %q %v, want the primary's 201 \"primary body\" from postgres", w.Code, w.Body.String(), w.Header())
	}
	ev := rec.next(t)
	if ev.Outcome != telemetry.Mismatch {
		t.Errorf("outcome = %q, want mismatch", ev.Outcome)
	}
	if ev.Primary != backends.Postgres || ev.Shadow != backends.DynamoDB || ev.Route != middleware.Unmatched || ev.Method != http.MethodGet {
		t.Errorf("event names %q→%q route %q %s", ev.Primary, ev.Shadow, ev.Route, ev.Method)
	}
}

func TestShadowRunsAgainstOtherBackendDetached(t *testing.T) {
	tests := []struct {
		name       string
		primary    backends.Name
		wantShadow backends.Name
		reason     string
	}{
		{"dark reads", backends.Postgres, backends.DynamoDB, "the shadow reads the new store"},
		{"reverse shadowing", backends.DynamoDB, backends.Postgres, "after the switch PostgreSQL is the shadow, so rollback stays safe"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newSpy()
			s := newShadower(t, rec, middleware.WithFlags(always(tt.primary, true)), middleware.WithTimeout(5*time.Second))
			primaryDone := make(chan struct{})
			type seen struct {
				target      backends.Name
				ctxErr      error
				hasDeadline bool
			}
			shadowSaw := make(chan seen, 1)
			h := s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if backends.IsShadow(r.Context()) {
					<-primaryDone // the user's request is over and its context cancelled
					_, ok := r.Context().Deadline()
					shadowSaw <- seen{backends.Target(r.Context()), r.Context().Err(), ok}
				}
				sameAnswer(w, r)
			}))
			ctx, cancel := context.WithCancel(context.Background())
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil).WithContext(ctx))
			cancel()
			close(primaryDone)

			got := <-shadowSaw
			if got.target != tt.wantShadow {
				t.Errorf("shadow ran against %q, want %q (%s)", got.target, tt.wantShadow, tt.reason)
			}
			if got.ctxErr != nil {
				t.Errorf("shadow context err = %v, want it detached from the cancelled request", got.ctxErr)
			}
			if !got.hasDeadline {
				t.Error("shadow context has no deadline, want its own timeout")
			}
			if ev := rec.next(t); ev.Outcome != telemetry.Match {
				t.Errorf("outcome = %q, want match", ev.Outcome)
			}
		})
	}
}

func TestShadowFailuresNeverReachUser(t *testing.T) {
	tests := []struct {
		name       string
		shadow     http.HandlerFunc
		timeout    time.Duration
		want       telemetry.Outcome
		wantReason telemetry.Reason
		reason     string
	}{
		{
			name:   "panic",
			shadow: func(http.ResponseWriter, *http.Request) { panic("boom in the shadow") },
			want:   telemetry.ShadowError, wantReason: telemetry.ReasonPanic,
			reason: "a panicking shadow is a shadow error, recovered",
		},
		{
			name:   "abort handler panic",
			shadow: func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) },
			want:   telemetry.ShadowError, wantReason: telemetry.ReasonPanic,
			reason: "http.ErrAbortHandler must not abort the user's connection from the shadow",
		},
		{
			name: "5xx",
			shadow: func(w http.ResponseWriter, _ *http.Request) {
				http.Error(w, "table not found", http.StatusInternalServerError)
			},
			want: telemetry.ShadowError, wantReason: telemetry.ReasonStatus5xx,
			reason: "a shadow 5xx is a failure of the new store, not a data mismatch",
		},
		{
			name: "slow",
			shadow: func(w http.ResponseWriter, r *http.Request) {
				<-r.Context().Done()
				http.Error(w, r.Context().Err().Error(), http.StatusServiceUnavailable)
			},
			timeout: 20 * time.Millisecond,
			want:    telemetry.Timeout,
			reason:  "a shadow that outlives its timeout is a timeout, whatever it answered",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newSpy()
			opts := []middleware.Option{middleware.WithShadowHandler(tt.shadow)}
			if tt.timeout > 0 {
				opts = append(opts, middleware.WithTimeout(tt.timeout))
			}
			s := newShadower(t, rec, opts...)
			w := httptest.NewRecorder()
			s.Handler(http.HandlerFunc(sameAnswer)).ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
			if w.Code != http.StatusOK || w.Body.String() != `{"id":"p1","price":12.5}` {
				t.Errorf("user got %d %q, want the primary's 200 (%s)", w.Code, w.Body.String(), tt.reason)
			}
			ev := rec.next(t)
			if ev.Outcome != tt.want || ev.Reason != tt.wantReason {
				t.Errorf("outcome = %q/%q, want %q/%q (%s)", ev.Outcome, ev.Reason, tt.want, tt.wantReason, tt.reason)
			}
			if ev.Err == nil {
				t.Error("event has no error")
			}
		})
	}
}

func TestShadowPanicKeepsStack(t *testing.T) {
	rec := newSpy()
	s := newShadower(t, rec, middleware.WithShadowHandler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic(errors.New("nil store"))
	})))
	s.Handler(http.HandlerFunc(sameAnswer)).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	ev := rec.next(t)
	var pe *middleware.PanicError
	if !errors.As(ev.Err, &pe) {
		t.Fatalf("err = %v, want a *middleware.PanicError", ev.Err)
	}
	if !strings.Contains(string(pe.Stack), "shadower_test.go") {
		t.Error("panic stack does not name the panicking function's file")
	}
	if pe.Unwrap() == nil || pe.Unwrap().Error() != "nil store" {
		t.Errorf("Unwrap = %v, want the panic's error", pe.Unwrap())
	}
}

func TestFullSlotsDropAtOnce(t *testing.T) {
	rec := newSpy()
	release := make(chan struct{})
	running := make(chan struct{}, 8)
	s := newShadower(t, rec, middleware.WithMaxConcurrent(2), middleware.WithShadowHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		running <- struct{}{}
		<-release
		sameAnswer(w, r)
	})))
	h := s.Handler(http.HandlerFunc(sameAnswer))
	for range 5 {
		// Each call returns without waiting for a slot; a queued request would block here forever.
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	}
	<-running
	<-running
	if got := s.InFlight(); got != 2 {
		t.Errorf("InFlight = %d, want 2", got)
	}
	for range 3 {
		if ev := rec.next(t); ev.Outcome != telemetry.Dropped {
			t.Errorf("outcome = %q, want dropped", ev.Outcome)
		}
	}
	close(release)
	for range 2 {
		if ev := rec.next(t); ev.Outcome != telemetry.Match {
			t.Errorf("outcome = %q, want match", ev.Outcome)
		}
	}
	if got := rec.startedCount(); got != 2 {
		t.Errorf("%d shadows started, want 2", got)
	}
}

func TestMethods(t *testing.T) {
	tests := []struct {
		name        string
		method      string
		opts        []middleware.Option
		wantShadows bool
		reason      string
	}{
		{"GET", http.MethodGet, nil, true, "GET is safe to run twice"},
		{"HEAD", http.MethodHead, nil, true, "HEAD is safe to run twice"},
		{"POST", http.MethodPost, nil, false, "an unsafe method may write: never run it twice unless listed"},
		{"DELETE", http.MethodDelete, nil, false, "an unsafe method may write: never run it twice unless listed"},
		{"POST listed", http.MethodPost, []middleware.Option{middleware.WithMethods(http.MethodPost)}, true, "a read-only POST (search) can be opted in"},
		{"GET not listed", http.MethodGet, []middleware.Option{middleware.WithMethods(http.MethodPost)}, false, "WithMethods replaces the default set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newSpy()
			s := newShadower(t, rec, tt.opts...)
			var shadows atomic.Int32
			h := s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if backends.IsShadow(r.Context()) {
					shadows.Add(1)
				}
				sameAnswer(w, r)
			}))
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(tt.method, "/", nil))
			if err := s.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got := shadows.Load() == 1; got != tt.wantShadows {
				t.Errorf("shadowed = %v, want %v (%s)", got, tt.wantShadows, tt.reason)
			}
		})
	}
}

func TestRequestBodyReachesBoth(t *testing.T) {
	rec := newSpy()
	s := newShadower(t, rec, middleware.WithMethods(http.MethodPost), middleware.WithMaxBodyBytes(64))
	bodies := make(chan string, 2)
	h := s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies <- string(b)
		w.Write(b)
	}))

	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/search", strings.NewReader(`{"q":"shoes"}`)))
	if ev := rec.next(t); ev.Outcome != telemetry.Match {
		t.Errorf("outcome = %q, want match", ev.Outcome)
	}
	for range 2 {
		if b := <-bodies; b != `{"q":"shoes"}` {
			t.Errorf("a handler read body %q, want the client's", b)
		}
	}

	large := strings.Repeat("x", 100)
	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/search", strings.NewReader(large)))
	if got := <-bodies; got != large {
		t.Errorf("primary read %d bytes of a body over the cap, want all %d", len(got), len(large))
	}
	ev := rec.next(t)
	if ev.Outcome != telemetry.Skipped || ev.Reason != telemetry.ReasonRequestTooLarge {
		t.Errorf("outcome = %q/%q, want skipped/request_too_large", ev.Outcome, ev.Reason)
	}
}

func TestPrimaryFailuresStartNoShadow(t *testing.T) {
	tests := []struct {
		name       string
		primary    http.HandlerFunc
		wantReason telemetry.Reason
		reason     string
	}{
		{
			name: "5xx",
			primary: func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, "database down", http.StatusServiceUnavailable)
			},
			wantReason: telemetry.ReasonPrimaryFailed,
			reason:     "nothing to compare against, and the new store should not take load for a failed request",
		},
		{
			name: "body over the cap",
			primary: func(w http.ResponseWriter, r *http.Request) {
				w.Write([]byte(strings.Repeat("a", 300)))
			},
			wantReason: telemetry.ReasonBodyTooLarge,
			reason:     "a response over the cap cannot be compared",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newSpy()
			s := newShadower(t, rec, middleware.WithMaxBodyBytes(256))
			var shadows atomic.Int32
			w := httptest.NewRecorder()
			s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if backends.IsShadow(r.Context()) {
					shadows.Add(1)
				}
				tt.primary(w, r)
			})).ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
			ev := rec.next(t)
			if ev.Outcome != telemetry.Skipped || ev.Reason != tt.wantReason {
				t.Errorf("outcome = %q/%q, want skipped/%s (%s)", ev.Outcome, ev.Reason, tt.wantReason, tt.reason)
			}
			if shadows.Load() != 0 {
				t.Errorf("a shadow ran (%s)", tt.reason)
			}
			if tt.wantReason == telemetry.ReasonBodyTooLarge && w.Body.Len() != 300 {
				t.Errorf("user got %d bytes, want all 300", w.Body.Len())
			}
		})
	}
}

// TestShadowBodyOverCapIsAMismatch: a shadow that answers more than the cap
// where the primary answers less is not an incomplete copy to skip but a
// difference, which counts against readiness.
func TestShadowBodyOverCapIsAMismatch(t *testing.T) {
	rec := newSpy()
	s := newShadower(t, rec, middleware.WithMaxBodyBytes(16), middleware.WithShadowHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("b", 17)))
	})))
	s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })).
		ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	ev := rec.next(t)
	if ev.Outcome != telemetry.Mismatch || len(ev.Result.Diffs) != 1 || ev.Result.Diffs[0].Field != "$body_size" {
		t.Fatalf("outcome %q/%q diffs %v, want a mismatch on $body_size", ev.Outcome, ev.Reason, ev.Result.Diffs)
	}
	if d := ev.Result.Diffs[0]; d.Primary != "2 bytes" || d.Shadow != "over 16 bytes" {
		t.Errorf("diff %+v, want the primary's 2 bytes against over 16", d)
	}
}

func TestPrimaryPanicPropagates(t *testing.T) {
	tests := []struct {
		name       string
		opts       []middleware.Option
		method     string
		body       string
		wantReason telemetry.Reason
		reason     string
	}{
		{"after primary", nil, http.MethodGet, "", telemetry.ReasonPrimaryFailed, "the shadow never starts"},
		{"with primary", []middleware.Option{middleware.WithStart(middleware.StartWithPrimary)}, http.MethodGet, "", telemetry.ReasonPrimaryFailed,
			"the running shadow learns that there is nothing to compare"},
		{"with a body", []middleware.Option{middleware.WithMethods(http.MethodPost), middleware.WithMaxBodyBytes(4)}, http.MethodPost, "too long",
			telemetry.ReasonPrimaryFailed, "the body is read only by the primary, which failed first; recorded once"},
		{"with primary, with a body", []middleware.Option{middleware.WithStart(middleware.StartWithPrimary), middleware.WithMethods(http.MethodPost)},
			http.MethodPost, "body", telemetry.ReasonPrimaryFailed, "the shadow waits for the body, which the primary never read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newSpy()
			s := newShadower(t, rec, append(tt.opts, middleware.WithShadowHandler(http.HandlerFunc(sameAnswer)))...)
			h := s.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("primary broke") }))
			var recovered any
			func() {
				defer func() { recovered = recover() }() // the user's own recoverer
				h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(tt.method, "/", strings.NewReader(tt.body)))
			}()
			if recovered != "primary broke" {
				t.Errorf("user's recoverer got %v, want the primary's panic value unchanged", recovered)
			}
			if ev := rec.next(t); ev.Outcome != telemetry.Skipped || ev.Reason != tt.wantReason {
				t.Errorf("outcome = %q/%q, want skipped/%s (%s)", ev.Outcome, ev.Reason, tt.wantReason, tt.reason)
			}
			if err := s.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
			rec.none(t)
		})
	}
}

func TestStartWithPrimaryRunsBothAtOnce(t *testing.T) {
	rec := newSpy()
	shadowStarted := make(chan struct{})
	s := newShadower(t, rec, middleware.WithStart(middleware.StartWithPrimary), middleware.WithShadowHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(shadowStarted)
		sameAnswer(w, r)
	})))
	h := s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Only possible if the shadow starts before the primary returns.
		<-shadowStarted
		sameAnswer(w, r)
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	if ev := rec.next(t); ev.Outcome != telemetry.Match {
		t.Errorf("outcome = %q, want match", ev.Outcome)
	}
}

func TestTelemetryAndComparatorPanicsStayInside(t *testing.T) {
	tests := []struct {
		name string
		opts []middleware.Option
	}{
		{"recorder panics", []middleware.Option{middleware.WithRecorder(panickyRecorder{})}},
		{"comparator panics", []middleware.Option{middleware.WithComparator(comparator.Func(func(p, s comparator.Response) comparator.Result {
			panic("cmp: reflect on unexported field")
		}))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newSpy()
			s := newShadower(t, rec, tt.opts...)
			w := httptest.NewRecorder()
			s.Handler(http.HandlerFunc(sameAnswer)).ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
			if w.Code != http.StatusOK {
				t.Errorf("user got %d, want 200", w.Code)
			}
			if err := s.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
		})
	}
	t.Run("comparator panic is compare_failed", func(t *testing.T) {
		rec := newSpy()
		s := newShadower(t, rec, middleware.WithComparator(comparator.Func(func(p, s comparator.Response) comparator.Result {
			panic("cmp: reflect on unexported field")
		})))
		s.Handler(http.HandlerFunc(sameAnswer)).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
		if ev := rec.next(t); ev.Outcome != telemetry.Skipped || ev.Reason != telemetry.ReasonCompareFailed || ev.Err == nil {
			t.Errorf("outcome = %q/%q err %v, want skipped/compare_failed with an error", ev.Outcome, ev.Reason, ev.Err)
		}
	})
}

type panickyRecorder struct{}

func (panickyRecorder) StartShadow(context.Context, telemetry.Event) context.Context {
	panic("recorder broke")
}
func (panickyRecorder) Record(context.Context, telemetry.Event) { panic("recorder broke") }

func TestNestedShadowerDoesNotShadowTwice(t *testing.T) {
	rec := newSpy()
	outer := newShadower(t, rec)
	inner := newShadower(t, rec)
	var runs atomic.Int32
	h := outer.Handler(inner.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		runs.Add(1)
		sameAnswer(w, r)
	})))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	rec.next(t) // the inner shadower's event for the primary execution
	rec.next(t) // the outer shadower's event
	if err := outer.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := inner.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	rec.none(t)
	if got := runs.Load(); got != 3 {
		t.Errorf("handler ran %d times, want 3 (primary, inner shadow, outer shadow; never a shadow of a shadow)", got)
	}
}

func startName(s middleware.Start) string {
	if s == middleware.StartWithPrimary {
		return "with primary"
	}
	return "after primary"
}
