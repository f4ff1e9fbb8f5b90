// Package app assembles the catalog service the way a team would run it in
// production: both stores, the shadow-read middleware with flags from a
// flagd flag file, OpenTelemetry metrics (served as Prometheus text on
// /metrics) and traces, and the report page.
//
// # Listeners
//
// The service has two handlers, for two listeners. [App.Handler] is the
// public one:
//
//	/                     the catalog (see package catalog), traced with otelhttp
//	/healthz              200 once started
//
// [App.Admin] is for an address that only operators and Prometheus reach
// (catalog serve: -admin-addr, default 127.0.0.1:8081), because the report
// page shows response values and trace ids and the actions change state:
//
//	GET  /metrics            every metric, as OpenMetrics with exemplars (trace ids)
//	                         when the scraper asks for it, else Prometheus text
//	GET  /debug/shadowread   the shadowread report page; ?format=json for JSON
//	GET  /healthz            200 once started
//	POST /debug/shadowread/mark      a readiness mark: "since the mark" starts again
//	POST /debug/shadowread/reverify  route and signature (form values): the requests
//	                                 kept behind a mismatch run again on both stores
//	POST (actions)           other endpoints added with [App.HandleAction]
//
// An action (a readiness mark, a re-verification run) accepts only POST
// (405 otherwise), bodies up to [ActionMaxBody] bytes (413) and
// [ActionBurst] calls at once, then one per [ActionRefill] (429).
//
// Request spans are named after the chi route ("GET /products/{productID}")
// and carry it as http.route, as do otelhttp's request metrics.
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
// set, spans go to that collector over OTLP/HTTP ([OTLPEndpoint]).
// Otherwise they are written as JSON to [Config.TraceOutput], if set;
// [TraceDestination] says which, for a banner. OTEL_TRACES_SAMPLER and
// OTEL_TRACES_SAMPLER_ARG choose the sampler; without them a share
// [Config.TraceRatio] of traces is kept.
package app
