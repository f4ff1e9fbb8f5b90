// Package bench measures what shadowread costs a service: micro-benchmarks
// of the middleware and the flag decision here, and a load harness over
// loopback in [github.com/shadowread/shadowread/bench/load].
//
// # Micro-benchmarks
//
// BenchmarkMiddleware compares, in one run, a trivial chi handler bare,
// wrapped by a [middleware.Shadower] whose flags ([flags.New]) do not sample
// the request, and wrapped and sampled at 100% with 1 KB and 64 KB response
// bodies. The sampled cases time the primary path only, the time until the
// user's response is written: the shadow handler returns at once and
// [middleware.Shadower.Close] drains the shadows after the timer stops.
// The copy cases are the cost of copying a body of each size, the part of
// the sampled overhead that grows with the response.
//
// BenchmarkNotSampled is what every request of a service pays while the
// middleware is on and the request is not sampled: chi and http.ServeMux,
// each bare and wrapped with PostgreSQL or DynamoDB as primary.
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
//
// # Instructions per request
//
// Wall and CPU time swing with the other jobs of a shared machine;
// instruction counts do not. make callgrind (bench/Makefile) runs the
// not-sampled cases, the sampled 1 KB and 64 KB cases with their bare
// baselines and the 64 KB copy, and the comparator's Compare cases under
// valgrind's callgrind, each at N and 3N iterations, and writes the
// difference of the two totals over 2N, one request's instructions, to
// bench/out/callgrind.txt:
//
//	GOGC=off GODEBUG=asyncpreemptoff=1 GOMAXPROCS=1 valgrind --tool=callgrind \
//		./bench.test -test.run '^$' -test.bench 'BenchmarkNotSampled/chi/bare$' -test.benchtime=20000x
//
// Go's asynchronous preemption signals crash callgrind, hence
// asyncpreemptoff and a single P. The count covers the whole process: for the
// sampled cases it includes the shadow goroutines' work, so it bounds the
// user's path from above.
//
// # Everything at once
//
// make bench (bench/Makefile) runs these benchmarks and the comparator's
// (BenchmarkCompare, in the root module), then make callgrind, then the
// load harness, and writes bench/RESULTS.md: the targets, each met
// or missed by how much, with the figures as ratios.
package bench
