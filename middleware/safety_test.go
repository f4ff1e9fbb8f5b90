package middleware_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/middleware"
	"github.com/shadowread/shadowread/telemetry"
)

// TestClientGoneIsSkipped: a user who hangs up mid-request cancels the
// primary's context, and the primary answers short. That answer is not
// what a healthy primary sends, so the pair is skipped, never judged.
func TestClientGoneIsSkipped(t *testing.T) {
	for _, start := range []middleware.Start{middleware.StartAfterPrimary, middleware.StartWithPrimary} {
		t.Run(startName(start), func(t *testing.T) {
			rec := newSpy()
			s := newShadower(t, rec, middleware.WithStart(start))
			inPrimary := make(chan struct{})
			srv := httptest.NewServer(s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if backends.IsShadow(r.Context()) {
					sameAnswer(w, r)
					return
				}
				close(inPrimary)
				<-r.Context().Done() // the client hung up
				w.WriteHeader(499)
				io.WriteString(w, `{"id":"p1"`)
			})))
			defer srv.Close()

			client := &http.Client{Transport: &http.Transport{}}
			defer client.CloseIdleConnections()
			ctx, cancel := context.WithCancel(context.Background())
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/products/p1", nil)
			errc := make(chan error, 1)
			go func() {
				resp, err := client.Do(req)
				if err == nil {
					resp.Body.Close()
				}
				errc <- err
			}()
			<-inPrimary
			cancel()
			if err := <-errc; !errors.Is(err, context.Canceled) {
				t.Fatalf("client request ended with %v, want context.Canceled", err)
			}
			ev := rec.next(t)
			if ev.Outcome != telemetry.Skipped || ev.Reason != telemetry.ReasonClientGone {
				t.Errorf("outcome %s/%s, want skipped/client_gone: the primary's answer was cut short by the user", ev.Outcome, ev.Reason)
			}
		})
	}
}

// countingRecorder counts Record calls and passes everything on.
type countingRecorder struct {
	telemetry.Recorder
	mu     sync.Mutex
	events []telemetry.Event
}

func (c *countingRecorder) Record(ctx context.Context, ev telemetry.Event) {
	c.mu.Lock()
	c.events = append(c.events, ev)
	c.mu.Unlock()
	c.Recorder.Record(ctx, ev)
}

// TestShadowGoexitRecordedOnce: a shadow handler that ends its goroutine
// with runtime.Goexit (t.FailNow does) is recorded exactly once, frees its
// slot and ends its span.
func TestShadowGoexitRecordedOnce(t *testing.T) {
	for _, start := range []middleware.Start{middleware.StartAfterPrimary, middleware.StartWithPrimary} {
		t.Run(startName(start), func(t *testing.T) {
			spans := tracetest.NewSpanRecorder()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
			mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
			defer tp.Shutdown(context.Background())
			defer mp.Shutdown(context.Background())
			rec := &countingRecorder{Recorder: telemetry.New(tp, mp)}
			s := newShadower(t, rec, middleware.WithStart(start))
			h := s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if backends.IsShadow(r.Context()) {
					runtime.Goexit()
				}
				sameAnswer(w, r)
			}))
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/products/p1", nil))
			if w.Code != http.StatusOK {
				t.Fatalf("user got %d, want 200", w.Code)
			}
			if err := s.Close(context.Background()); err != nil {
				t.Fatalf("Close = %v", err)
			}
			rec.mu.Lock()
			defer rec.mu.Unlock()
			if len(rec.events) != 1 {
				t.Fatalf("%d events recorded, want exactly 1", len(rec.events))
			}
			if ev := rec.events[0]; ev.Outcome != telemetry.ShadowError || ev.Reason != telemetry.ReasonPanic || ev.Err == nil {
				t.Errorf("outcome %s/%s err %v, want shadow_error/panic with an error", ev.Outcome, ev.Reason, ev.Err)
			}
			if got := s.InFlight(); got != 0 {
				t.Errorf("InFlight = %d, want 0", got)
			}
			if got := len(spans.Ended()); got != 1 || len(spans.Started()) != 1 {
				t.Errorf("%d spans started, %d ended; want the shadow's span started and ended once", len(spans.Started()), got)
			}
		})
	}
}

// TestCloseIdleWithDoneContext: with nothing in flight there is nothing to
// wait for, so Close returns nil even with a context that is already done,
// as http.Server.Shutdown does.
func TestCloseIdleWithDoneContext(t *testing.T) {
	done, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name   string
		serve  int
		reason string
	}{
		{"never used", 0, "a fresh Shadower has no shadows"},
		{"after shadows finished", 3, "finished shadows have given their slots back"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newSpy()
			s := middleware.New(middleware.WithFlags(always(backends.Postgres, true)), middleware.WithRecorder(rec),
				middleware.WithComparator(bytesEqual))
			h := s.Handler(http.HandlerFunc(sameAnswer))
			for range tt.serve {
				h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
				rec.next(t)
			}
			for s.InFlight() != 0 {
				runtime.Gosched() // the slot is given back just after the event
			}
			for i := range 3 {
				if err := s.Close(done); err != nil {
					t.Fatalf("Close #%d with a done context = %v, want nil (%s)", i+1, err, tt.reason)
				}
			}
		})
	}
}

// TestLongPrimaryDoesNotPinSlot: with StartWithPrimary a shadow waits for
// its primary, but only within its own timeout. Streams that stay open
// for longer neither keep shadowing off nor hold up Close.
func TestLongPrimaryDoesNotPinSlot(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const streams = 2
		rec := newSpy()
		s := middleware.New(middleware.WithFlags(always(backends.Postgres, true)), middleware.WithRecorder(rec),
			middleware.WithComparator(bytesEqual), middleware.WithStart(middleware.StartWithPrimary),
			middleware.WithMaxConcurrent(streams), middleware.WithTimeout(time.Second))
		end := make(chan struct{})
		h := s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/events" && !backends.IsShadow(r.Context()) {
				io.WriteString(w, "data: 1\n\n")
				<-end // an open event stream
				return
			}
			sameAnswer(w, r)
		}))
		var wg sync.WaitGroup
		closeStreams := sync.OnceFunc(func() { close(end); wg.Wait() })
		defer closeStreams() // also when the test fails early
		for range streams {
			wg.Go(func() { h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/events", nil)) })
		}
		synctest.Wait()
		time.Sleep(time.Second) // the shadows' timeout
		synctest.Wait()

		for range streams {
			if ev := rec.next(t); ev.Outcome != telemetry.Skipped || ev.Reason != telemetry.ReasonPrimaryOutlived || ev.Err == nil {
				t.Errorf("shadow of a stream: outcome %s/%s err %v, want skipped/primary_outlived with an error", ev.Outcome, ev.Reason, ev.Err)
			}
		}
		if got := s.InFlight(); got != 0 {
			t.Errorf("InFlight = %d with %d streams open, want 0: a waiting shadow gives its slot back at its timeout", got, streams)
		}
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/products/p1", nil))
		if ev := rec.next(t); ev.Outcome != telemetry.Match {
			t.Errorf("request beside open streams: outcome %s/%s, want match", ev.Outcome, ev.Reason)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := s.Close(ctx); err != nil {
			t.Errorf("Close with streams open = %v, want nil", err)
		}
		closeStreams()
		rec.none(t)
	})
}
