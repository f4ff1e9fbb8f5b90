package middleware_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/shadowread/shadowread/backends"
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
	if ev := rec.next(t); ev.Outcome != telemetry.Dropped {
		t.Errorf("outcome = %q, want dropped: the request was sampled but the shadower closed", ev.Outcome)
	}
}
