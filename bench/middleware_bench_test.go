package bench

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/middleware"
	"github.com/shadowread/shadowread/telemetry"
)

const (
	route = "/products/{id}"
	kb    = 1 << 10
)

// middlewareCase is one sub-benchmark of BenchmarkMiddleware.
type middlewareCase struct {
	name   string
	reason string
	body   int // response body size
	// shadower builds the middleware; nil serves the handler bare.
	shadower func(testing.TB, *outcomeCounter) *middleware.Shadower
	sampled  bool // every request is shadowed
}

func middlewareCases() []middlewareCase {
	wrapped := func(percent float64, opts ...middleware.Option) func(testing.TB, *outcomeCounter) *middleware.Shadower {
		return func(tb testing.TB, rec *outcomeCounter) *middleware.Shadower {
			return newShadower(tb, rec, append([]middleware.Option{middleware.WithFlags(newFlags(tb, percent))}, opts...)...)
		}
	}
	return []middlewareCase{
		{name: "bare/1KB", reason: "the baseline of every 1 KB case", body: kb},
		{name: "bare/64KB", reason: "the baseline of the 64 KB case", body: 64 * kb},
		{
			name: "wrapped/not-sampled/memprovider", reason: "what most requests pay: the flag decision and the routing, nothing else",
			body: kb, shadower: wrapped(0),
		},
		{
			name: "wrapped/sampled/1KB", reason: "the primary path of a shadowed request: capture, request copy, goroutine start",
			body: kb, shadower: wrapped(100), sampled: true,
		},
		{
			name: "wrapped/sampled/64KB", reason: "the same with a body copy 64 times larger",
			body: 64 * kb, shadower: wrapped(100), sampled: true,
		},
		{
			name: "wrapped/sampled/start-with-primary/1KB", reason: "the shadow goroutine starts before the primary runs",
			body: kb, shadower: wrapped(100, middleware.WithStart(middleware.StartWithPrimary)), sampled: true,
		},
	}
}

// BenchmarkMiddleware times one request through a chi router, bare and
// wrapped. The sampled cases time the primary path only: the shadow handler
// returns at once, the comparator says equal without looking, and Close
// drains the shadows once the timer has stopped.
func BenchmarkMiddleware(b *testing.B) {
	for _, c := range middlewareCases() {
		b.Run(c.name, func(b *testing.B) {
			rec := &outcomeCounter{}
			h, shadow := c.router(b, rec)
			w := newDiscardWriter()
			r := httptest.NewRequest(http.MethodGet, "/products/42", nil)
			b.SetBytes(int64(c.body))
			b.ReportAllocs()
			cpu := startCPUClock()
			n := 0
			for b.Loop() {
				w.reset()
				h.ServeHTTP(w, r)
				n++
			}
			cpu.report(b, n)
			if shadow != nil {
				closeShadower(b, shadow)
				b.ReportMetric(float64(rec.shadowed())/float64(n), "shadows/op")
				b.ReportMetric(float64(rec.get(telemetry.Dropped))/float64(n), "dropped/op")
			}
		})
	}
	for _, size := range []int{kb, 64 * kb} {
		b.Run(fmt.Sprintf("copy/%dKB", size/kb), func(b *testing.B) {
			body := jsonBody(size)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			cpu := startCPUClock()
			n := 0
			for b.Loop() {
				sink = append([]byte(nil), body...)
				n++
			}
			cpu.report(b, n)
		})
	}
}

// cpuClock measures the CPU time of the benchmark's own goroutine, pinned
// to its thread: the primary path's CPU, without the shadow goroutines
// (they run on other threads) and without the time other processes take
// on a shared machine, which inflates ns/op but not this.
type cpuClock struct {
	start int64
	ok    bool
}

func startCPUClock() cpuClock {
	runtime.LockOSThread()
	start, ok := threadCPU()
	return cpuClock{start: start, ok: ok}
}

// report adds cpu-ns/op over n iterations and unpins the goroutine.
func (c cpuClock) report(b *testing.B, n int) {
	end, ok := threadCPU()
	runtime.UnlockOSThread()
	if c.ok && ok && n > 0 {
		b.ReportMetric(float64(end-c.start)/float64(n), "cpu-ns/op")
	}
}

// sink keeps the copy benchmark's result alive.
var sink []byte

// router returns the case's chi router and its Shadower (nil when bare).
func (c middlewareCase) router(tb testing.TB, rec *outcomeCounter) (http.Handler, *middleware.Shadower) {
	body := jsonBody(c.body)
	handler := func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}
	r := chi.NewRouter()
	if c.shadower == nil {
		r.Get(route, handler)
		return r, nil
	}
	s := c.shadower(tb, rec)
	r.With(s.Handler).Get(route, handler)
	return r, s
}

// newShadower returns a Shadower whose shadows cost next to nothing: they
// are timed elsewhere, and here they would only compete for the CPU.
func newShadower(tb testing.TB, rec *outcomeCounter, opts ...middleware.Option) *middleware.Shadower {
	tb.Helper()
	base := []middleware.Option{
		middleware.WithShadowHandler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})),
		middleware.WithComparator(comparator.Func(func(_, _ comparator.Response) comparator.Result {
			return comparator.Result{Equal: true}
		})),
		middleware.WithRecorder(rec),
		// Enough slots that no shadow is dropped: a dropped shadow skips the
		// goroutine start and would flatter the sampled cases. (Not more:
		// Close takes every slot, one channel send each.)
		middleware.WithMaxConcurrent(4096),
	}
	s := middleware.New(append(base, opts...)...)
	tb.Cleanup(func() { closeShadower(tb, s) })
	return s
}

// closeShadower waits for the shadows still running.
func closeShadower(tb testing.TB, s *middleware.Shadower) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.Close(ctx); err != nil {
		tb.Fatalf("closing the Shadower: %v", err)
	}
}

// outcomeCounter is a telemetry.Recorder that counts outcomes.
type outcomeCounter struct {
	mu     sync.Mutex
	counts map[telemetry.Outcome]int64
}

func (c *outcomeCounter) StartShadow(ctx context.Context, _ telemetry.Event) context.Context {
	return ctx
}

func (c *outcomeCounter) Record(_ context.Context, e telemetry.Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counts == nil {
		c.counts = make(map[telemetry.Outcome]int64)
	}
	c.counts[e.Outcome]++
}

func (c *outcomeCounter) get(o telemetry.Outcome) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.counts[o]
}

// shadowed counts the shadows that ran and were compared.
func (c *outcomeCounter) shadowed() int64 {
	return c.get(telemetry.Match) + c.get(telemetry.Mismatch)
}

// total counts every recorded event.
func (c *outcomeCounter) total() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var n int64
	for _, v := range c.counts {
		n += v
	}
	return n
}

// discardWriter is a reusable http.ResponseWriter that keeps nothing but
// the status and the byte count, so the benchmarks time the handler and
// the middleware rather than a recorder's buffer. Like the server's own
// writer it is a Flusher.
type discardWriter struct {
	header http.Header
	status int
	n      int
}

func newDiscardWriter() *discardWriter { return &discardWriter{header: make(http.Header)} }

func (w *discardWriter) Header() http.Header { return w.header }

func (w *discardWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *discardWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.n += len(p)
	return len(p), nil
}

func (w *discardWriter) Flush() {}

func (w *discardWriter) reset() {
	clear(w.header)
	w.status, w.n = 0, 0
}

// jsonBody returns a JSON array of product objects of exactly size bytes.
func jsonBody(size int) []byte {
	const item = `{"id":"p-000042","name":"Linen shirt","price":49.9,"updated_at":"2026-03-01T10:00:00Z"}`
	var b bytes.Buffer
	b.WriteByte('[')
	for b.Len()+len(item)+2 <= size {
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		b.WriteString(item)
	}
	b.WriteByte(']')
	// Pad inside the array with spaces, which JSON ignores.
	pad := size - b.Len()
	out := b.Bytes()
	return append(out[:len(out)-1], strings.Repeat(" ", pad)+"]"...)
}
