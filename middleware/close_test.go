package middleware_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/middleware"
	"github.com/shadowread/shadowread/telemetry"
)

func TestCloseWaitsForInFlightShadows(t *testing.T) {
	rec := newSpy()
	release := make(chan struct{})
	running := make(chan struct{}, 1)
	s := newShadower(t, rec)
	var shadows atomic.Int32
	h := s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if backends.IsShadow(r.Context()) {
			shadows.Add(1)
			running <- struct{}{}
			<-release
		}
		sameAnswer(w, r)
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	<-running

	// A context that is already done: the shadow outlives it.
	expired, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Close(expired); !errors.Is(err, context.Canceled) {
		t.Fatalf("Close with a done context and a shadow in flight = %v, want context.Canceled", err)
	}

	// Requests after Close are served by the primary alone.
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	if w.Code != http.StatusOK {
		t.Errorf("request after Close got %d, want 200", w.Code)
	}

	close(release)
	if err := s.Close(context.Background()); err != nil {
		t.Fatalf("second Close after the shadow finished = %v, want nil", err)
	}
	if got := shadows.Load(); got != 1 {
		t.Errorf("%d shadows ran, want 1 (none after Close)", got)
	}
	if ev := rec.next(t); ev.Outcome != telemetry.Match {
		t.Errorf("outcome = %q, want match", ev.Outcome)
	}
	rec.none(t)
	if err := s.Close(context.Background()); err != nil {
		t.Errorf("third Close = %v, want nil: closing twice is harmless", err)
	}
	if got := s.InFlight(); got != 0 {
		t.Errorf("InFlight after Close = %d, want 0", got)
	}
}

// TestNoShadowStartsAfterClose holds a sampled request inside its primary
// while Close runs and returns: the shadow it would start must not run.
func TestNoShadowStartsAfterClose(t *testing.T) {
	rec := newSpy()
	s := newShadower(t, rec)
	inPrimary := make(chan struct{})
	closeReturned := make(chan struct{})
	var shadows atomic.Int32
	h := s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if backends.IsShadow(r.Context()) {
			shadows.Add(1)
		} else {
			close(inPrimary)
			<-closeReturned
		}
		sameAnswer(w, r)
	}))
	served := make(chan struct{})
	go func() {
		defer close(served)
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	}()
	<-inPrimary
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	close(closeReturned)
	<-served
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := shadows.Load(); got != 0 {
		t.Errorf("%d shadows ran after Close returned", got)
	}
	if ev := rec.next(t); ev.Outcome != telemetry.Skipped || ev.Reason != telemetry.ReasonClosed {
		t.Errorf("outcome = %q/%q, want skipped/closed: the request was sampled but the shadower closed", ev.Outcome, ev.Reason)
	}
}

// TestCloseUnderLoad closes a Shadower while requests keep coming and every
// slot is held by a running shadow, from several goroutines at once (a
// signal handler and a deferred Close, say). Close waits for the running
// shadows and no longer; no shadow starts once it has returned; users are
// served throughout.
func TestCloseUnderLoad(t *testing.T) {
	const slots = 4
	rec := newTally()
	release := make(chan struct{})
	entered := make(chan struct{}, 1024)
	var shadowsStarted, shadowsDone atomic.Int32
	s := newShadower(t, rec, middleware.WithMaxConcurrent(slots),
		middleware.WithShadowHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			shadowsStarted.Add(1)
			defer shadowsDone.Add(1)
			entered <- struct{}{}
			<-release
			sameAnswer(w, r)
		})))
	h := s.Handler(http.HandlerFunc(sameAnswer))
	var served atomic.Int32
	serve := func(int) {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/products/1", nil))
		if w.Code != http.StatusOK || w.Body.String() != `{"id":"p1","price":12.5}` {
			t.Errorf("user got %d %q during shutdown, want the primary's answer", w.Code, w.Body.String())
		}
		served.Add(1)
	}
	stop := load(4, serve)
	for range slots {
		<-entered // every slot is held by a shadow waiting for release
	}

	const closers = 3
	closed := make(chan error, closers)
	for range closers {
		go func() { closed <- s.Close(context.Background()) }()
	}
	close(release)
	for range closers {
		select {
		case err := <-closed:
			if err != nil {
				t.Errorf("Close = %v, want nil once the shadows finished", err)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("concurrent Close calls did not return within 20s: they deadlocked over the slots")
		}
	}
	// Close has returned: every shadow that started has finished, and none may start now.
	startedAtClose := shadowsStarted.Load()
	if done := shadowsDone.Load(); done != startedAtClose {
		t.Errorf("Close returned with %d of %d shadows still running", startedAtClose-done, startedAtClose)
	}
	servedAtClose := served.Load()
	for served.Load() < servedAtClose+200 {
		runtime.Gosched() // requests after Close keep being served
	}
	total := stop()
	if got := shadowsStarted.Load(); got != startedAtClose {
		t.Errorf("%d shadows started after Close returned", got-startedAtClose)
	}
	if got := s.InFlight(); got != 0 {
		t.Errorf("InFlight after Close = %d, want 0", got)
	}
	if err := s.Close(context.Background()); err != nil {
		t.Errorf("another Close = %v, want nil", err)
	}
	counts, _ := rec.snapshot()
	for k := range counts {
		switch k {
		case "match/", "dropped/", "skipped/closed":
		default:
			t.Errorf("unexpected outcome %s during shutdown: %v", k, counts)
		}
	}
	t.Logf("%d requests, %d shadows, outcomes %v", total, startedAtClose, counts)
}
