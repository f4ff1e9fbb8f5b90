// Package app assembles the catalog service the way a team would run it in
// production: both stores, the shadow-read middleware with flags from a
// flagd flag file, OpenTelemetry metrics (served as Prometheus text on
// /metrics) and traces, and the report page.
//
// # Routes
//
//	/                     the catalog (see package catalog), traced with otelhttp
//	/metrics              Prometheus exposition of every metric (OTel's Prometheus exporter)
//	/debug/shadowread     the shadowread report page; ?format=json for JSON
//	/healthz              200 once started
//
// # Flags
//
// The flags come from a flagd flag file read by the flagd provider in
// in-process file mode, so editing the file changes the next request's
// decision without a restart. Decisions use the flags package's exact mode
// with the X-Customer-Id header as targeting key: the flag file can then
// switch the primary for a share of customers (flagd's fractional operator)
// and sampling is sticky per customer. Exact mode evaluates the flags on
// every request (tens of microseconds); a service that needs no per-customer
// rules would use the default cached mode instead.
//
// # Traces
//
// With OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)
// set, spans go to that collector over OTLP/HTTP. Otherwise they are
// written as JSON to [Config.TraceOutput], if set. OTEL_TRACES_SAMPLER and
// OTEL_TRACES_SAMPLER_ARG choose the sampler; without them a share
// [Config.TraceRatio] of traces is kept.
package app
