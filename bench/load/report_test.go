package load

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// resultOf returns a result of one answer for each latency.
func resultOf(latencies ...time.Duration) Result {
	r := Result{Statuses: map[int]int{200: len(latencies)}, Elapsed: time.Second}
	for _, l := range latencies {
		r.Latency.Record(l)
		r.Lateness.Record(l / 100)
		r.FromSend.Record(l - l/100)
	}
	return r
}

// spread returns 1,000 latencies: 980 at fast, 18 at slow, 2 at slowest,
// so p50 = fast, p99 = slow, p99.9 = slowest.
func spread(fast, slow, slowest time.Duration) []time.Duration {
	var out []time.Duration
	for range 980 {
		out = append(out, fast)
	}
	for range 18 {
		out = append(out, slow)
	}
	return append(out, slowest, slowest)
}

// sampleReport is a small report with every section filled in.
func sampleReport() *Report {
	ms := time.Millisecond
	variant := func(key string, rounds ...Result) VariantResult {
		for _, v := range Variants() {
			if v.Key == key {
				return VariantResult{Variant: v, Rounds: rounds}
			}
		}
		panic("no variant " + key)
	}
	r := &Report{
		Machine: Machine{CPUs: 2, Commit: "abc1234", CPUModel: "Test CPU", Kernel: "6.1", GoVersion: "go1.26.8", Tools: "PostgreSQL 15, dynalite 4.0.0, nginx 1.22.1.",
			Date: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC), LoadBefore: "0.50 0.40 0.30", LoadAfter: "1.50 1.00 0.60"},
		Setup: Setup{Rate: 400, Capacity: 3000, BothCapacity: 650, CapacityWorkers: 32, Warmup: 3 * time.Second, Measure: 20 * time.Second, Rounds: 3,
			Mix: "60% product, 25% order, 15% order list", DirectRead: 600 * time.Microsecond, SlowRead: 6 * ms, ShadowDelay: 5400 * time.Microsecond,
			Elapsed: 9 * time.Minute, ReplayDelay: 500 * time.Microsecond, Replay: ReplayStats{Recorded: 4200, Hits: 2400, Misses: 0}, PinnedCPU: 1},
		Variants: []VariantResult{
			variant(KeyBare, resultOf(spread(2*ms, 10*ms, 20*ms)...), resultOf(spread(2*ms, 10*ms, 20*ms)...), resultOf(spread(2*ms, 10*ms, 20*ms)...)),
			variant(KeyBareAgain, resultOf(spread(2*ms, 10*ms, 20*ms)...), resultOf(spread(2*ms, 10500*time.Microsecond, 20*ms)...), resultOf(spread(2*ms, 10*ms, 20*ms)...)),
			variant(KeyShadow10, resultOf(spread(2*ms, 10*ms, 20*ms)...), resultOf(spread(2100*time.Microsecond, 10*ms, 20*ms)...), resultOf(spread(2*ms, 10*ms, 20*ms)...)),
			variant(KeySlowShadow, resultOf(spread(2*ms, 12*ms, 25*ms)...), resultOf(spread(2*ms, 12*ms, 25*ms)...), resultOf(spread(2*ms, 12*ms, 25*ms)...)),
			variant(KeySlowSync, resultOf(spread(9*ms, 30*ms, 40*ms)...), resultOf(spread(9*ms, 30*ms, 40*ms)...), resultOf(spread(9*ms, 30*ms, 40*ms)...)),
			variant(KeyReplay10, resultOf(spread(2*ms, 10500*time.Microsecond, 20*ms)...), resultOf(spread(2*ms, 10500*time.Microsecond, 20*ms)...), resultOf(spread(2*ms, 10500*time.Microsecond, 20*ms)...)),
			variant(KeyReplay100, resultOf(spread(2*ms, 14*ms, 25*ms)...), resultOf(spread(2*ms, 14*ms, 25*ms)...), resultOf(spread(2*ms, 14*ms, 25*ms)...)),
		},
		Memory: []MemorySample{{0, 40 << 20, 30}, {time.Second, 42 << 20, 35}, {2 * time.Second, 41 << 20, 33}, {3 * time.Second, 42 << 20, 31}},
		Micro: []Micro{
			{Name: "Middleware/bare/1KB", Runs: 5, Median: map[string]float64{"ns/op": 600, "cpu-ns/op": 550, "B/op": 720, "allocs/op": 5}},
			{Name: "Middleware/wrapped/not-sampled/memprovider", Runs: 5, Median: map[string]float64{"ns/op": 700, "cpu-ns/op": 640, "B/op": 720, "allocs/op": 5, "shadows/op": 0}},
			{Name: "Middleware/wrapped/sampled/1KB", Runs: 5, Median: map[string]float64{"ns/op": 3500, "B/op": 5000, "allocs/op": 40, "shadows/op": 1}},
			{Name: "Middleware/copy/1KB", Runs: 5, Median: map[string]float64{"ns/op": 100, "B/op": 1024, "allocs/op": 1}},
			{Name: "Middleware/bare/64KB", Runs: 5, Median: map[string]float64{"ns/op": 700, "cpu-ns/op": 650, "B/op": 720, "allocs/op": 5}},
			{Name: "Middleware/wrapped/sampled/64KB", Runs: 5, Median: map[string]float64{"ns/op": 9000, "cpu-ns/op": 8650, "B/op": 70000, "allocs/op": 20}},
			{Name: "Middleware/copy/64KB", Runs: 5, Median: map[string]float64{"ns/op": 6500, "cpu-ns/op": 6400, "B/op": 65536, "allocs/op": 1}},
			{Name: "NotSampled/chi/bare", Runs: 5, Median: map[string]float64{"ns/op": 500, "B/op": 0, "allocs/op": 4}},
			{Name: "NotSampled/chi/postgres", Runs: 5, Median: map[string]float64{"ns/op": 560, "B/op": 0, "allocs/op": 4}},
			{Name: "NotSampled/chi/dynamodb", Runs: 5, Median: map[string]float64{"ns/op": 620, "B/op": 64, "allocs/op": 6}},
			{Name: "NotSampled/servemux/bare", Runs: 5, Median: map[string]float64{"ns/op": 300, "B/op": 0, "allocs/op": 1}},
			{Name: "NotSampled/servemux/postgres", Runs: 5, Median: map[string]float64{"ns/op": 350, "B/op": 0, "allocs/op": 1}},
			// Compare: 10 ns/byte at 1 KB (from MB/s), 2 ns/byte at 10 KB and above.
			{Name: "Compare/1KB/equivalent", Runs: 5, Median: map[string]float64{"ns/op": 20000, "MB/s": 100, "allocs/op": 50}},
			{Name: "Compare/10KB/equivalent", Runs: 5, Median: map[string]float64{"ns/op": 40000, "MB/s": 500, "allocs/op": 400}},
			{Name: "Compare/100KB/equivalent", Runs: 5, Median: map[string]float64{"ns/op": 400000, "MB/s": 500, "allocs/op": 4000}},
			{Name: "Compare/1024KB/equivalent", Runs: 5, Median: map[string]float64{"ns/op": 4800000, "MB/s": 420, "allocs/op": 40000}},
			{Name: "Compare/1KB/mismatch", Runs: 5, Median: map[string]float64{"ns/op": 4000, "MB/s": 500, "allocs/op": 50}},
			{Name: "Compare/10KB/mismatch", Runs: 5, Median: map[string]float64{"ns/op": 90000, "MB/s": 500, "allocs/op": 400}},
			{Name: "Compare/100KB/mismatch", Runs: 5, Median: map[string]float64{"ns/op": 400000, "MB/s": 500, "allocs/op": 4000}},
			{Name: "Compare/1024KB/mismatch", Runs: 5, Median: map[string]float64{"ns/op": 4000000, "MB/s": 505, "allocs/op": 40000}},
		},
		Callgrind: []Micro{
			callgrind("NotSampled/chi/bare", 3200),
			callgrind("NotSampled/chi/postgres", 3450),
			callgrind("NotSampled/chi/dynamodb", 3600),
			callgrind("NotSampled/servemux/bare", 1900),
			callgrind("NotSampled/servemux/postgres", 2100),
			callgrind("NotSampled/servemux/dynamodb", 2300),
			callgrind("NotSampled/servemux/otelhttp", 20000),
			callgrind("NotSampled/servemux/logger", 9000),
			goroutineCount("Middleware/bare/1KB", 8000, 6000, 5),
			goroutineCount("Middleware/otelhttp/1KB", 30000, 28000, 35),
			goroutineCount("Middleware/logger/1KB", 17000, 15000, 23),
			{Name: "Middleware/wrapped/sampled/1KB", Runs: 1, Iterations: 4000,
				Median: map[string]float64{unitInstructions: 40000, unitGoroutineInstructions: 16000, unitGoroutineAllocs: 14,
					"shadows/op": 1, "allocs/op": 40}},
			goroutineCount("Middleware/wrapped/sampled/real/1KB", 150000, 16500, 14),
			callgrind("Middleware/bare/64KB", 5000),
			callgrind("Middleware/wrapped/sampled/64KB", 40000),
			callgrind("Middleware/copy/64KB", 25000),
			{Name: "Compare/10KB/equivalent", Runs: 1, Iterations: 200,
				Median: map[string]float64{unitInstructions: 800000, unitBytes: 20000}},
		},
	}
	r.CallgrindFunctions = []FunctionCost{
		{"NotSampled/chi/bare", "github.com/go-chi/chi/v5.(*node).findRoute", 300},
		{"NotSampled/chi/dynamodb", "github.com/go-chi/chi/v5.(*node).findRoute", 300},
		{"NotSampled/chi/dynamodb", "github.com/shadowread/shadowread/middleware.(*wrapped).ServeHTTP", 150},
		{"NotSampled/chi/dynamodb", "runtime.mallocgc", 200},
		{"NotSampled/chi/dynamodb", "context.(*valueCtx).Value", 50},
		{"NotSampled/chi/dynamodb", "runtime.memmove", 0.5},
		{"Compare/10KB/equivalent", "github.com/shadowread/shadowread/comparator.(*decoder).value", 90000},
	}
	r.Variants[2].Outcomes = map[string]uint64{"match": 190, "dropped": 2}
	r.Variants[6].Outcomes = map[string]uint64{"match": 1500, "dropped": 500, GuardShareKey: 75}
	// Profiles: the baseline spends its CPU on PostgreSQL and the server;
	// variant 6b also on the DynamoDB client and the library.
	r.Variants[0].Profile = map[string]time.Duration{CompPostgres: 300 * ms, CompServer: 500 * ms, CompHandlers: 200 * ms}
	r.Variants[6].Profile = map[string]time.Duration{CompPostgres: 200 * ms, CompServer: 300 * ms, CompHandlers: 100 * ms,
		CompDynamoDB: 300 * ms, CompComparator: 50 * ms, CompMiddleware: 30 * ms, CompTelemetry: 20 * ms}
	for i := range r.Variants {
		// Per request (3,000 answered): 267 µs in the service, 133 in
		// PostgreSQL, 400 in dynalite for the variants that read it.
		r.Variants[i].CPU = CPU{Service: 800 * ms, Postgres: 400 * ms, Harness: 100 * ms, Others: 300 * ms, Steal: 20 * ms, Elapsed: 2 * time.Second,
			ServiceWait: 100 * ms, PostgresWait: 60 * ms, HarnessWait: 20 * ms}
		if i >= 3 {
			r.Variants[i].CPU.Dynalite = 1200 * ms
		}
		// 4 collections in 2 s, a quarter of 800 ms; waits of 10, 100 and
		// 1,000 µs.
		r.Variants[i].Runtime = RuntimeStats{GCCycles: 4, GCCPU: 200 * ms, CPU: 800 * ms,
			SchedBuckets: []float64{0, 1e-5, 1e-4, 1e-3}, SchedCounts: []uint64{900, 95, 5}}
	}
	return r
}

// goroutineCount returns counts of a Middleware case as out/callgrind.txt
// has them: the whole process, the benchmark's goroutine and its
// allocations.
func goroutineCount(name string, process, goroutine, allocs float64) Micro {
	return Micro{Name: name, Runs: 1, Iterations: 4000, Median: map[string]float64{
		unitInstructions: process, unitGoroutineInstructions: goroutine, unitGoroutineAllocs: allocs}}
}

// callgrind returns a count of instructions per request as
// out/callgrind.txt has it.
func callgrind(name string, instructions float64) Micro {
	return Micro{Name: name, Runs: 1, Iterations: 40000, Median: map[string]float64{unitInstructions: instructions}}
}

func TestRatio(t *testing.T) {
	r := sampleReport()
	tests := []struct {
		name   string
		reason string
		key    string
		q      float64
		want   float64
	}{
		{name: "baseline", reason: "the baseline over itself", key: KeyBare, q: 0.99, want: 1},
		{name: "slow shadow p99", reason: "12 ms over 10 ms", key: KeySlowShadow, q: 0.99, want: 1.2},
		{name: "slow shadow p99.9", reason: "25 ms over 20 ms", key: KeySlowShadow, q: 0.999, want: 1.25},
		{name: "sync p50", reason: "9 ms over 2 ms", key: KeySlowSync, q: 0.5, want: 4.5},
		{name: "missing variant", reason: "no figures, no ratio", key: KeyNginx, q: 0.5, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Histogram buckets are 1/64 wide: compare within that.
			if got := r.Ratio(tt.key, tt.q); got < tt.want*0.98 || got > tt.want*1.02 {
				t.Errorf("Ratio(%s, %v) = %.3f, want %.3f (%s)", tt.key, tt.q, got, tt.want, tt.reason)
			}
		})
	}
}

func TestRatioFromSend(t *testing.T) {
	r := sampleReport()
	// Each request of the sample was 1% late, so latencies from the send
	// are 0.99 of those from the due time, in every variant alike.
	late := r.variant(KeyReplay100)
	late.Rounds[0] = resultOf(spread(2*time.Millisecond, 14*time.Millisecond, 25*time.Millisecond)...)
	late.Rounds[0].FromSend = Histogram{}
	for _, l := range spread(2*time.Millisecond, 10*time.Millisecond, 20*time.Millisecond) {
		late.Rounds[0].FromSend.Record(l) // as if the generator caused the extra 4 ms at p99
	}
	tests := []struct {
		name, key string
		want      float64
		reason    string
	}{
		{"replayed 10%", KeyReplay10, 1.05, "10.5 ms over 10 ms, lateness taken out of both"},
		{"generator late", KeyReplay100, 1.4, "one round's p99 from send is the baseline's, the other's 14 ms; merged p99 is 14 ms"},
		{"missing", KeyNginx, 0, "no figures, no ratio"},
	}
	for _, tt := range tests {
		got := r.RatioFromSend(tt.key, 0.99)
		if got < tt.want*0.98 || got > tt.want*1.02 {
			t.Errorf("%s: RatioFromSend = %.3f, want %.3f (%s)", tt.name, got, tt.want, tt.reason)
		}
	}
}

func TestChecks(t *testing.T) {
	checks := sampleReport().Checks()
	want := []struct {
		target string
		met    bool
		reason string
	}{
		{"Not sampled, chi, PostgreSQL primary", true, "+250 instructions, +0 allocs"},
		{"Not sampled, chi, DynamoDB primary", false, "+400 instructions, +2 allocs"},
		{"Not sampled, http.ServeMux, PostgreSQL primary", true, "+200 instructions, +0 allocs"},
		{"Not sampled, http.ServeMux, DynamoDB primary", false, "+400 instructions; its allocations are not measured"},
		{"Sampled, the user's path, 1 KB body", false, "+2.9 µs of wall time (no CPU time of the sampled case), +35 allocs"},
		{"Sampled, the user's path, 64 KB body", true, "CPU time +8 µs, the copy 6.4 µs: 1.6 µs beyond it"},
		{"Comparator, 10 KB pair equal after normalisation", true, "40 µs"},
		{"Comparator, 10 KB pair with a mismatch", false, "90 µs"},
		{"Comparator, cost per byte from 1 KB to 1 MB", false, "equivalent: 10 ns/byte at 1 KB, 2 at 10 KB: 5x"},
		{"Load, DynamoDB replayed: p99 at 10% sampling", true, "10.5 over 10 ms"},
		{"Load, DynamoDB replayed: p99 at 100% sampling, latency guard on", false, "14 over 10 ms"},
		{"Not sampled, in-memory provider, wall time", true, "+100 ns, +0 allocs"},
		{"Load: p99 at 10% sampling, dynalite", true, "10 ms over 10 ms"},
		{"Load: p99 at 100% with a 10x slower shadow", false, "12 over 10 ms"},
		{"Synchronous baseline, 10x slower shadow", true, "+20 ms, shadow read 6 ms"},
	}
	if len(checks) != len(want) {
		t.Fatalf("%d checks, want %d: %+v", len(checks), len(want), checks)
	}
	for i, w := range want {
		if c := checks[i]; c.Target != w.target || c.Met != w.met {
			t.Errorf("check %d: %q met %v, want %q met %v (%s; measured %s)", i, c.Target, c.Met, w.target, w.met, w.reason, c.Measured)
		}
	}
	guarded := checks[10]
	if !strings.Contains(guarded.Measured, "75%") {
		t.Errorf("the 100%% replayed check does not give the guard's effective rate: %s", guarded.Measured)
	}
	for i, c := range checks {
		if primary := i < 11; c.Secondary() == primary {
			t.Errorf("check %q: secondary %v, want %v: the issue's targets come first", c.Target, c.Secondary(), !primary)
		}
	}
}

// TestChecksTolerateNames checks that the report finds the sampled cases
// under the names bench has had, and says "not measured" without them.
func TestChecksTolerateNames(t *testing.T) {
	tests := []struct {
		name     string
		reason   string
		rename   map[string]string
		measured bool
	}{
		{name: "current names", reason: "as BenchmarkMiddleware names them", measured: true},
		{name: "without wrapped", reason: "a shorter name of the same case", measured: true,
			rename: map[string]string{"Middleware/wrapped/sampled/1KB": "Middleware/sampled/1KB"}},
		{name: "unknown name", reason: "a case the report does not know is not taken for another", measured: false,
			rename: map[string]string{"Middleware/wrapped/sampled/1KB": "Middleware/wrapped/sampled-pooled/1KB"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := sampleReport()
			for i, m := range r.Micro {
				if to, ok := tt.rename[m.Name]; ok {
					r.Micro[i].Name = to
				}
			}
			c := r.checkSampled1KB()
			if got := c.Measured != "not measured"; got != tt.measured {
				t.Errorf("measured %v, want %v (%s): %s", got, tt.measured, tt.reason, c.Measured)
			}
		})
	}
}

func TestCPUBusy(t *testing.T) {
	c := CPU{Service: time.Second, Postgres: time.Second, Dynalite: 500 * time.Millisecond, Others: 500 * time.Millisecond, Elapsed: 2 * time.Second}
	c.Add(CPU{Harness: time.Second, Elapsed: 2 * time.Second})
	// 4 s busy of 4 s on each of 2 CPUs.
	if got := c.Busy(2); got != 0.5 {
		t.Errorf("Busy(2) = %v, want 0.5", got)
	}
	if (CPU{}).Busy(2) != 0 {
		t.Error("nothing measured must be 0 busy")
	}
}

func TestRuntimeStats(t *testing.T) {
	buckets := []float64{0, 1e-5, 1e-4, 1e-3, math.MaxFloat64}
	before := RuntimeStats{GCCycles: 10, GCCPU: time.Second, CPU: 4 * time.Second, SchedBuckets: buckets, SchedCounts: []uint64{100, 10, 1, 0}}
	after := RuntimeStats{GCCycles: 13, GCCPU: 1500 * time.Millisecond, CPU: 6 * time.Second, SchedBuckets: buckets, SchedCounts: []uint64{1090, 19, 2, 0}}
	d := after.Sub(before)
	if d.GCCycles != 3 || d.GCCPU != 500*time.Millisecond || d.CPU != 2*time.Second {
		t.Errorf("delta %+v, want 3 cycles, 500ms GC of 2s", d)
	}
	// 990 waits under 10 µs, 9 under 100 µs, 1 under 1 ms.
	tests := []struct {
		q    float64
		want time.Duration
	}{{0.5, 10 * time.Microsecond}, {0.99, 10 * time.Microsecond}, {0.995, 100 * time.Microsecond}, {1, time.Millisecond}}
	for _, tt := range tests {
		if got := d.SchedQuantile(tt.q); got != tt.want {
			t.Errorf("SchedQuantile(%v) = %v, want %v", tt.q, got, tt.want)
		}
	}
	var sum RuntimeStats
	sum.Add(d)
	sum.Add(d)
	if sum.GCCycles != 6 || sum.SchedCounts[0] != 1980 {
		t.Errorf("sum of two deltas: %d cycles, %d short waits; want 6 and 1980", sum.GCCycles, sum.SchedCounts[0])
	}
	if (RuntimeStats{}).SchedQuantile(0.99) != 0 {
		t.Error("no waits must give 0")
	}
}

func TestSummarizeMemory(t *testing.T) {
	s := SummarizeMemory(sampleReport().Memory)
	if s.MinRSS != 40<<20 || s.MaxRSS != 42<<20 || s.MinGoroutines != 30 || s.MaxGoroutines != 35 {
		t.Errorf("range: RSS %v–%v, goroutines %d–%d; want 40–42 MiB and 30–35", mib(s.MinRSS), mib(s.MaxRSS), s.MinGoroutines, s.MaxGoroutines)
	}
	if s.FirstRSS != 40<<20 || s.LastRSS != 42<<20 || s.FirstGoroutines != 30 || s.LastGoroutines != 31 {
		t.Errorf("quarters of four samples are the first and last: RSS %v and %v, goroutines %v and %v",
			mib(s.FirstRSS), mib(s.LastRSS), s.FirstGoroutines, s.LastGoroutines)
	}
	if (SummarizeMemory(nil) != MemorySummary{}) {
		t.Error("no samples must summarize to zeros")
	}
}

func TestMarkdownGolden(t *testing.T) {
	got := []byte(sampleReport().Markdown())
	golden(t, "results.golden.md", got)
}

func TestRatioChart(t *testing.T) {
	r := sampleReport()
	svg := RatioChart(r)
	golden(t, "ratio.golden.svg", svg)
	doc := parseSVG(t, svg)
	bars := doc.elements("rect", "bar")
	if len(bars) != 3*len(r.Variants) {
		t.Fatalf("%d bars, want 3 per variant (%d)", len(bars), 3*len(r.Variants))
	}
	// The baseline's bars have the minimal height at ratio 1; the slow
	// synchronous p50 (4.5x) is the tallest.
	var tallest, tallestH float64
	for _, b := range bars {
		if h := b.float(t, "height"); h > tallestH {
			tallest, tallestH = b.float(t, "data-ratio"), h
		}
	}
	if tallest < 4.4 || tallest > 4.6 {
		t.Errorf("the tallest bar has ratio %v, want the slow synchronous p50 of 4.5", tallest)
	}
}

func TestMemoryChart(t *testing.T) {
	samples := sampleReport().Memory
	svg := MemoryChart(samples)
	golden(t, "memory.golden.svg", svg)
	lines := parseSVG(t, svg).elements("polyline", "series")
	if len(lines) != 2 {
		t.Fatalf("%d series, want memory and goroutines", len(lines))
	}
	for _, l := range lines {
		if n := len(strings.Fields(l.attr("points"))); n != len(samples) {
			t.Errorf("a series has %d points, want one per sample (%d)", n, len(samples))
		}
	}
}

func TestNiceCeil(t *testing.T) {
	for _, tt := range []struct{ in, want float64 }{{0, 1}, {0.7, 1}, {1, 1}, {1.3, 2}, {37, 50}, {52.5, 100}, {120, 200}} {
		if got := niceCeil(tt.in); got != tt.want {
			t.Errorf("niceCeil(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestWrapWords(t *testing.T) {
	got := wrapWords("4b synchronous, shadow 10x slower", 16)
	want := []string{"4b synchronous,", "shadow 10x", "slower"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("wrapWords = %q, want %q", got, want)
	}
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; run go test -update and review the diff. Got:\n%s", path, got)
	}
}

// svgElement is an element of a parsed SVG.
type svgElement struct {
	name  string
	attrs map[string]string
}

func (e svgElement) attr(name string) string { return e.attrs[name] }

func (e svgElement) float(t *testing.T, name string) float64 {
	t.Helper()
	var f float64
	if _, err := fmt.Sscan(e.attrs[name], &f); err != nil {
		t.Fatalf("attribute %s=%q: %v", name, e.attrs[name], err)
	}
	return f
}

type svgDoc []svgElement

// elements returns the elements called name with class class.
func (d svgDoc) elements(name, class string) []svgElement {
	var out []svgElement
	for _, e := range d {
		if e.name == name && e.attrs["class"] == class {
			out = append(out, e)
		}
	}
	return out
}

// parseSVG checks that svg is well-formed XML and returns its elements.
func parseSVG(t *testing.T, svg []byte) svgDoc {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(svg))
	var doc svgDoc
	for {
		tok, err := dec.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return doc
			}
			t.Fatalf("the SVG is not well-formed XML: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			e := svgElement{name: se.Name.Local, attrs: map[string]string{}}
			for _, a := range se.Attr {
				e.attrs[a.Name.Local] = a.Value
			}
			doc = append(doc, e)
		}
	}
}
