package bench

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
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
	// shadower builds the middleware; nil serves the handler bare, or
	// wrapped in other.
	shadower func(testing.TB, *outcomeCounter) *middleware.Shadower
	other    func(http.Handler) http.Handler // otelhttp, chi's Logger
	sampled  bool                            // every request is shadowed
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
		{name: "otelhttp/1KB", reason: "otelhttp with no-op providers, for comparison", body: kb, other: otelHTTP},
		{name: "logger/1KB", reason: "chi's Logger, for comparison", body: kb, other: chiLogger},
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
		{
			name: "wrapped/sampled/real/1KB", reason: "a shadowed request as a service pays for it: an equivalent body from the shadow, " +
				"the preset comparator and the OpenTelemetry recorder",
			body: kb, shadower: realShadower, sampled: true,
		},
	}
}

// BenchmarkMiddleware times one request through a chi router, bare and
// wrapped. The sampled cases wait for each request's shadow to be compared
// and recorded before the next request (see settle), so that no shadow is
// dropped or left for later: a case that drops one fails. Besides the
// process's figures, each case reports those of its own goroutine, which
// is pinned to its thread: cpu-ns/op, and goroutine-allocs/op (see
// goroutineAllocs); make callgrind counts that thread's instructions.
// Except in the real case, the shadow handler returns at once and the
// comparator says equal without looking.
func BenchmarkMiddleware(b *testing.B) {
	for _, c := range middlewareCases() {
		b.Run(c.name, func(b *testing.B) {
			rec := &outcomeCounter{}
			h, _ := c.router(b, rec)
			w := newDiscardWriter()
			r := serverRequest(b)
			settle := c.settler(b, rec)
			ownAllocs := goroutineAllocs(h, w, r, settle)
			before := rec.total()
			b.SetBytes(int64(c.body))
			b.ReportAllocs()
			cpu := startCPUClock()
			n := 0
			for b.Loop() {
				w.reset()
				h.ServeHTTP(w, r)
				settle()
				n++
			}
			cpu.report(b, n)
			b.ReportMetric(ownAllocs, "goroutine-allocs/op")
			if c.shadower == nil {
				return
			}
			if d := rec.get(telemetry.Dropped); d > 0 {
				b.Fatalf("%d of %d shadows dropped: the case would not measure what it claims (%s)", d, n, c.reason)
			}
			b.ReportMetric(float64(rec.total()-before)/float64(n), "shadows/op")
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

// settler returns what ends each request of the case: for a sampled case,
// waiting until its shadow's outcome is recorded; for the others, a round
// trip to a goroutine that does nothing else. Either way the benchmark's
// goroutine blocks once and is woken by another goroutine, so every case
// pays the same switches on the benchmark's thread, and its count over the
// bare case's is what the user's goroutine pays.
func (c middlewareCase) settler(tb testing.TB, rec *outcomeCounter) func() {
	if c.sampled {
		rec.recorded = make(chan struct{}, 1)
		return func() { <-rec.recorded }
	}
	ping, pong := make(chan struct{}), make(chan struct{}, 1)
	go func() {
		for range ping {
			pong <- struct{}{}
		}
	}()
	tb.Cleanup(func() { close(ping) })
	return func() {
		ping <- struct{}{}
		<-pong
	}
}

// goroutineAllocs returns the allocations per request of the goroutine
// that serves it, without its shadow's: with one processor the shadow
// goroutine cannot run before the serving goroutine blocks, so the memory
// statistics read around ServeHTTP count the user's path only.
func goroutineAllocs(h http.Handler, w *discardWriter, r *http.Request, settle func()) float64 {
	const requests = 50
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	var before, after runtime.MemStats
	var total uint64
	for range requests {
		w.reset()
		runtime.ReadMemStats(&before)
		h.ServeHTTP(w, r)
		runtime.ReadMemStats(&after)
		settle()
		total += after.Mallocs - before.Mallocs
	}
	return float64(total) / requests
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
	callgrindThreadStart()
	return cpuClock{start: start, ok: ok}
}

// report adds cpu-ns/op over n iterations and unpins the goroutine.
func (c cpuClock) report(b *testing.B, n int) {
	callgrindThreadEnd()
	end, ok := threadCPU()
	runtime.UnlockOSThread()
	if c.ok && ok && n > 0 {
		b.ReportMetric(float64(end-c.start)/float64(n), "cpu-ns/op")
	}
}

// callgrindThreadStart and callgrindThreadEnd mark, on the pinned thread,
// the span that make callgrind counts as the benchmark's goroutine: it
// dumps that thread's counts on entry to each (callgrind's --dump-before).
//
//go:noinline
func callgrindThreadStart() {}

//go:noinline
func callgrindThreadEnd() {}

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
		if c.other != nil {
			r.With(c.other).Get(route, handler)
		} else {
			r.Get(route, handler)
		}
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

// outcomeCounter is a telemetry.Recorder that counts outcomes and, when
// recorded is set, signals each one there.
type outcomeCounter struct {
	mu       sync.Mutex
	counts   map[telemetry.Outcome]int64
	recorded chan struct{}
}

func (c *outcomeCounter) StartShadow(ctx context.Context, _ telemetry.Event) context.Context {
	return ctx
}

func (c *outcomeCounter) Record(_ context.Context, e telemetry.Event) {
	c.mu.Lock()
	if c.counts == nil {
		c.counts = make(map[telemetry.Outcome]int64)
	}
	c.counts[e.Outcome]++
	c.mu.Unlock()
	if c.recorded != nil {
		c.recorded <- struct{}{}
	}
}

func (c *outcomeCounter) get(o telemetry.Outcome) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.counts[o]
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
