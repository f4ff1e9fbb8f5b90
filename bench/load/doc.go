// Package load is shadowread's load harness: an open-loop load generator
// and the report of `make bench` (bench/RESULTS.md).
//
// # Open loop
//
// A closed-loop tool sends the next request when the previous one is
// answered, so a stalled server also stalls the tool, which then sends (and
// measures) fewer requests exactly while latency is bad: coordinated
// omission. A [Generator] sends the requests of a [Schedule] at fixed times
// instead, each in a goroutine of its own, and measures every latency from
// the time the request was due, not from when it was sent. [Histogram]
// keeps the latencies in log-linear buckets, as HdrHistogram does, so
// p99.9 is exact to 1.6% at any scale. A [Mix] draws the requests from
// weighted routes with a fixed seed, so every variant serves the same
// sequence.
//
// # The harness
//
// The harness itself is TestLoad, behind the loadbench build tag so that
// `make test` never runs it. bench/Makefile runs it under
// scripts/with-servers.sh: it seeds the benchmark's shop (bench/service
// seed) on PostgreSQL and dynalite, makes a slow DynamoDB with the delay
// proxy of internal/testenv, starts one bench/service process per
// [Variant] and Debian's nginx for the mirror variants, and runs every
// variant in each of several short rounds.
//
// Dynalite is the realistic DynamoDB, and it costs CPU on the same machine.
// Variants 6a and 6b read a [Replayer] instead: it records dynalite's
// answers to every request the mix can make, then replays them after a
// fixed delay (-load.replay-delay, 500 µs), so those variants measure the
// shadow's client work and the library alone. Once every process has
// started, the harness pins itself (the generator) to one CPU with
// GOMAXPROCS 1 (-load.pin), and [Result.FromSend] takes each request's
// lateness out of its latency. Each service is profiled while measured
// (net/http/pprof), and [ProfileComponents] splits its CPU by component.
//
// It writes a [Report] with
// [Report.Markdown], [RatioChart] and [MemoryChart]; [Report.Checks]
// compares the figures with the targets (and, as secondary checks,
// older targets kept to compare with earlier runs), judging a load ratio
// by the run's own [Floor] (variant 1' against variant 1, per round) and
// calling it unresolved when the floor is wider than the ratio's distance
// from its limit, and [ParseBenchmarks]
// reads into it the micro-benchmarks of package bench and the comparator
// (-load.micro) and the instructions per request make callgrind counted
// (-load.callgrind), which are in the same format; [ParseFunctionCosts]
// reads where those instructions go (-load.callgrind-functions).
//
// The harness is a test rather than a command because it uses
// internal/testenv (the shared servers and the delay proxy), which takes a
// testing.TB, and the test's cleanup stops every process it started.
package load
