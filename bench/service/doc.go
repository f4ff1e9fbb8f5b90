// Command service is the load harness's target: the benchmark's own shop
// ([shop.NewRouter]: a product, an order, a customer's orders) on real
// PostgreSQL and DynamoDB stores, built with
// the read middleware of one benchmark variant. The harness
// (github.com/shadowread/shadowread/bench/load) runs one process per
// variant.
//
//	service seed  -pg URL -ddb URL -table NAME [-products N] [-customers N] [-orders N]
//	service probe -ddb URL -table NAME [-products N] [-reads N]
//	service serve -pg URL -ddb URL -table NAME -mode MODE [-sample PERCENT]
//	              [-addr HOST:PORT] [-debug-addr HOST:PORT]
//
// # seed
//
// Creates the shop's PostgreSQL schema and a new DynamoDB table and writes
// the same fixed, generated rows (the same for every run) to both
// ([shop.Seed]), so shadow reads match.
//
// # probe
//
// Reads products from the DynamoDB store one after the other and prints
// the median read time in nanoseconds, for calibrating the delay that
// makes the shadow store ten times slower.
//
// # serve
//
// Serves the shop until SIGINT or SIGTERM, then shuts down gracefully.
// -mode says what wraps the read routes:
//
//   - none: nothing; PostgreSQL serves every read.
//   - shadow: the [middleware.Shadower], with [flags.New] over an in-memory
//     OpenFeature provider sampling -sample percent of customers (sticky
//     per X-Customer-Id), comparing with [comparator.PostgresDynamoDB] and
//     recording through [telemetry.New] with the OTel metrics SDK.
//   - experiment: the synchronous baseline, as GitHub's Scientist does it:
//     both stores are read one after the other, compared and published
//     before the user gets the PostgreSQL response.
//   - dynamodb: nothing but routing to DynamoDB; the second instance that
//     nginx mirrors requests to.
//
// Once listening it prints one line, "addr=HOST:PORT debug=HOST:PORT". The
// debug address serves /debug/goroutines (the goroutine count),
// /debug/outcomes (shadow outcome counts as JSON) and /debug/runtime
// (garbage collection and scheduling-delay figures from runtime/metrics) and
// /debug/pprof/profile (a CPU profile, as net/http/pprof serves it), so
// the harness can watch the process without adding anything to the
// measured routes.
//
// [shop.NewRouter]: https://pkg.go.dev/github.com/shadowread/shadowread/bench/internal/shop#NewRouter
// [shop.Seed]: https://pkg.go.dev/github.com/shadowread/shadowread/bench/internal/shop#Seed
// [middleware.Shadower]: https://pkg.go.dev/github.com/shadowread/shadowread/middleware#Shadower
// [flags.New]: https://pkg.go.dev/github.com/shadowread/shadowread/flags#New
// [comparator.PostgresDynamoDB]: https://pkg.go.dev/github.com/shadowread/shadowread/comparator#PostgresDynamoDB
// [telemetry.New]: https://pkg.go.dev/github.com/shadowread/shadowread/telemetry#New
package main
