package middleware_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/middleware"
	"github.com/shadowread/shadowread/telemetry"
)

// BenchmarkHandler compares the cost the middleware adds to a request with a
// bare handler, in the same run. The not-sampled cases are what most
// requests of a service pay.
func BenchmarkHandler(b *testing.B) {
	body := []byte(`{"id":"p1","name":"Linen shirt","price":49.9}`)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(body) })
	throttle := backends.NewThrottle(backends.DynamoDB, time.Second)
	cases := []struct {
		name string
		h    func(b *testing.B) http.Handler
	}{
		{"bare handler", func(*testing.B) http.Handler { return handler }},
		{"not sampled, postgres primary", func(b *testing.B) http.Handler {
			return benchShadower(b, middleware.WithFlags(always(backends.Postgres, false))).Handler(handler)
		}},
		{"not sampled, dynamodb primary", func(b *testing.B) http.Handler {
			return benchShadower(b, middleware.WithFlags(always(backends.DynamoDB, false))).Handler(handler)
		}},
		{"not sampled, throttle back-off on", func(b *testing.B) http.Handler {
			return benchShadower(b, middleware.WithFlags(always(backends.Postgres, false)), middleware.WithThrottleBackoff(throttle)).Handler(handler)
		}},
		{"not sampled, latency guard on", func(b *testing.B) http.Handler {
			return benchShadower(b, middleware.WithFlags(always(backends.Postgres, false)), middleware.WithLatencyGuard(1.2, time.Second)).Handler(handler)
		}},
		{"sampled", func(b *testing.B) http.Handler {
			return benchShadower(b, middleware.WithFlags(always(backends.Postgres, true))).Handler(handler)
		}},
		{"sampled, throttle back-off on", func(b *testing.B) http.Handler {
			return benchShadower(b, middleware.WithFlags(always(backends.Postgres, true)), middleware.WithThrottleBackoff(throttle)).Handler(handler)
		}},
		{"sampled, latency guard on", func(b *testing.B) http.Handler {
			return benchShadower(b, middleware.WithFlags(always(backends.Postgres, true)), middleware.WithLatencyGuard(1.2, time.Second)).Handler(handler)
		}},
		{"sampled, noise baseline 100%", func(b *testing.B) http.Handler {
			return benchShadower(b, middleware.WithFlags(always(backends.Postgres, true)), middleware.WithNoiseBaseline(100)).Handler(handler)
		}},
	}
	cases = append(cases, struct {
		name string
		h    func(b *testing.B) http.Handler
	}{"sampled, every slot busy (the user's path alone)", func(b *testing.B) http.Handler {
		return busyShadower(b).Handler(handler)
	}})
	for _, size := range []int{1 << 10, 64 << 10} {
		cases = append(cases, struct {
			name string
			h    func(b *testing.B) http.Handler
		}{fmt.Sprintf("sampled %dKB JSON, every slot busy", size>>10), func(b *testing.B) http.Handler {
			return busyShadower(b).Handler(jsonHandler(size))
		}}, struct {
			name string
			h    func(b *testing.B) http.Handler
		}{fmt.Sprintf("bare %dKB JSON", size>>10), func(*testing.B) http.Handler { return jsonHandler(size) }})
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			h := c.h(b)
			r := httptest.NewRequest(http.MethodGet, "/products/p1", nil)
			w := &discardWriter{header: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				h.ServeHTTP(w, r)
			}
		})
	}
}

// busyShadower returns a Shadower sampling every request whose only slot a
// shadow holds for the whole run, so every request pays the user's path of
// a sampled request and no shadow.
func busyShadower(b *testing.B) *middleware.Shadower {
	release := make(chan struct{})
	s := benchShadower(b, middleware.WithFlags(always(backends.Postgres, true)), middleware.WithMaxConcurrent(1),
		middleware.WithShadowHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release })),
		middleware.WithTimeout(time.Hour))
	b.Cleanup(func() { close(release) })
	s.Handler(http.NotFoundHandler()).ServeHTTP(&discardWriter{header: http.Header{}}, httptest.NewRequest(http.MethodGet, "/products/p1", nil))
	for s.InFlight() == 0 {
		runtime.Gosched()
	}
	return s
}

// jsonHandler answers with a JSON body of size bytes, as a catalog
// service does.
func jsonHandler(size int) http.Handler {
	body := append([]byte(`{"pad":"`), bytes.Repeat([]byte("x"), size-10)...)
	body = append(body, `"}`...)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
}

func benchShadower(b *testing.B, opts ...middleware.Option) *middleware.Shadower {
	s := middleware.New(append([]middleware.Option{middleware.WithComparator(bytesEqual), middleware.WithRecorder(telemetry.Nop{})}, opts...)...)
	b.Cleanup(func() { s.Close(context.Background()) })
	return s
}

// discardWriter is a ResponseWriter that costs nothing and keeps nothing.
type discardWriter struct{ header http.Header }

func (w *discardWriter) Header() http.Header         { return w.header }
func (w *discardWriter) WriteHeader(int)             {}
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
