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
// BenchmarkDecide times the flag decision alone, in cached and exact mode,
// with OpenFeature's in-memory provider. The same cases over flagd's file
// provider are in the example module (example/flagscheck), which depends on
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
// # Everything at once
//
// make bench (bench/Makefile) runs these benchmarks and then the load
// harness, and writes bench/RESULTS.md with the figures as ratios.
package bench
