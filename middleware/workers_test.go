package middleware_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/telemetry"
)

// TestShadowWorkers: shadows run on workers that outlive one shadow, a
// shadow handler that ends its goroutine (runtime.Goexit) ends only its
// worker, and Close ends every worker, idle ones included.
func TestShadowWorkers(t *testing.T) {
	before := goleak.IgnoreCurrent()
	rec := newSpy()
	s := newShadower(t, rec)
	var exits sync.Map // paths whose shadow calls runtime.Goexit
	h := s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := exits.Load(r.URL.Path); ok && backends.IsShadow(r.Context()) {
			runtime.Goexit()
		}
		sameAnswer(w, r)
	}))
	serve := func(path string) {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, path, nil))
	}

	// Several at once, so several workers start; then one at a time, each
	// handed to a worker left waiting.
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() { serve("/a") })
	}
	wg.Wait()
	for range 8 {
		if ev := rec.next(t); ev.Outcome != telemetry.Match {
			t.Fatalf("outcome = %q, want match", ev.Outcome)
		}
	}
	for range 8 {
		serve("/b")
		if ev := rec.next(t); ev.Outcome != telemetry.Match {
			t.Fatalf("outcome = %q, want match: a worker runs shadow after shadow", ev.Outcome)
		}
	}
	exits.Store("/exit", true)
	serve("/exit")
	if ev := rec.next(t); ev.Outcome != telemetry.ShadowError {
		t.Fatalf("outcome of a shadow that called runtime.Goexit = %q, want shadow_error", ev.Outcome)
	}
	serve("/c")
	if ev := rec.next(t); ev.Outcome != telemetry.Match {
		t.Fatalf("outcome after a worker ended = %q, want match", ev.Outcome)
	}

	if err := s.Close(context.Background()); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := goleak.Find(before); err != nil {
		t.Errorf("after Close, goroutines remain: %v", err)
	}
}
