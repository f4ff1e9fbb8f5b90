// Package bench measures what shadowread costs a service: micro-benchmarks
// of the middleware and the flag decision here, and a load harness over
// loopback in [github.com/shadowread/shadowread/bench/load].
//
// # Micro-benchmarks
//
// BenchmarkMiddleware compares, in one run, a trivial chi handler bare,
// behind otelhttp (no-op providers) and chi's Logger, wrapped by a
// [middleware.Shadower] whose flags ([flags.New]) do not sample the
// request, and wrapped and sampled at 100% with 1 KB and 64 KB response
// bodies. Each sampled request waits for its shadow to be recorded before
// the next, so no shadow is dropped (a case that drops one fails); the
// others end with a switch to another goroutine and back, so every case
// pays the same. The benchmark's goroutine is pinned to its thread:
// cpu-ns/op and goroutine-allocs/op are the user's goroutine alone. The
// shadow handler returns at once and the comparator says equal, except in
// the real case, where the shadow serves an equivalent body that the
// preset comparator decodes and the OpenTelemetry recorder records. The
// copy cases are the cost of copying a body of each size, the part of the
// sampled overhead that grows with the response.
//
// BenchmarkNotSampled is what every request of a service pays while the
// middleware is on and the request is not sampled: chi and http.ServeMux,
// each bare, wrapped with PostgreSQL or DynamoDB as primary, and behind
// otelhttp and chi's Logger. The request carries the context chain a
// net/http server gives it.
//
// BenchmarkDecide times the flag decision alone, in cached and exact mode,
// with OpenFeature's in-memory provider. The same cases over flagd's file
// provider are in the example module (example/internal/flagscheck), which depends on
// flagd; make bench runs both.
//
//	cd bench && go test -run '^$' -bench . -benchmem .
//
// # Allocation figures of the sampled cases
//
// The Go runtime counts allocations per process, not per goroutine, so
// B/op and allocs/op of the sampled cases include what each shadow
// goroutine allocates, although that work is off the primary path.
// goroutine-allocs/op counts the user's goroutine alone: the memory
// statistics are read around ServeHTTP with one processor, on which the
// shadow cannot run before that goroutine blocks.
//
// # Instructions per request
//
// Wall and CPU time swing with the other jobs of a shared machine;
// instruction counts do not. make callgrind (bench/Makefile) runs the
// not-sampled cases, the 1 KB Middleware cases (bare, otelhttp, chi's
// Logger, sampled, sampled with the real comparator and recorder) and the
// comparator's Compare cases under valgrind's callgrind, each at N and 3N
// iterations, and writes the difference of the two totals over 2N, one
// request's instructions, to bench/out/callgrind.txt:
//
//	GOGC=off GODEBUG=asyncpreemptoff=1,cpu.rdtscp=off GOMAXPROCS=1 valgrind --tool=callgrind \
//		--separate-threads=yes --dump-before='*bench.callgrindThreadStart' --dump-before='*bench.callgrindThreadEnd' \
//		./bench.test -test.run '^$' -test.bench 'BenchmarkNotSampled/chi/bare$' -test.benchtime=10000x
//
// Go's asynchronous preemption signals crash callgrind, hence
// asyncpreemptoff and a single P; valgrind 3.19 does not know the RDTSCP
// instruction of the runtime's contended locks, hence cpu.rdtscp=off.
// instructions/op is the whole process. For the Middleware cases,
// goroutine-instructions/op is the user's goroutine alone: callgrind counts
// each thread apart and dumps the pinned thread's count as the loop starts
// and ends.
//
// # Everything at once
//
// make bench (bench/Makefile) runs these benchmarks and the comparator's
// (BenchmarkCompare, in the root module), then make callgrind, then the
// load harness, and writes bench/RESULTS.md: the targets, each met
// or missed by how much, with the figures as ratios.
package bench
