// Package telemetry reports shadow reads through OpenTelemetry and judges
// whether a route is ready for the cutover.
//
// The middleware hands every sampled request to a [Recorder] as an [Event]
// with its [Outcome] and, for some outcomes, a [Reason]. [New] returns the
// Recorder that turns these events into metrics, spans, exemplars,
// readiness figures, log lines and a report page; [Nop] records nothing and
// [Multi] hands each event to several recorders:
//
//	rec := telemetry.New(otel.GetTracerProvider(), otel.GetMeterProvider(),
//		telemetry.WithRoutes("/products/{id}", "/orders/{id}"),
//		telemetry.WithTraceURL("http://localhost:16686/trace/{trace_id}"))
//	shadow := middleware.New(middleware.WithRecorder(rec) /* , ... */)
//	admin.Handle("GET /debug/shadowread", rec.ReportHandler())
//	admin.Handle("POST /debug/shadowread/mark", rec.MarkHandler())
//
// Every figure is kept per route and direction (primary → shadow). A route
// is ready when the 95% upper bound on its failure rate (mismatches, shadow
// errors, timeouts) is under [WithReadyThreshold] over at least
// [WithMinSamples] samples, and at least [WithMinCoverage] of its sampled
// requests were compared. Recording runs on the shadow goroutine, never on
// the request path, and everything kept is bounded whatever the traffic.
// Metric attributes have few distinct values: route patterns, backends,
// outcomes and reasons, never ids, raw paths or values. The report and its
// readiness figures are types of package
// [github.com/shadowread/shadowread/telemetry/report]; serve the report
// page on an internal address only.
//
// The guides: [docs/verdicts.md] for outcomes, reasons, coverage,
// readiness, triage and noise; [docs/operations.md] for the metrics, spans,
// trace links, log lines, the report page, Prometheus rules and the
// Collector.
//
// [docs/verdicts.md]: https://github.com/shadowread/shadowread/blob/main/docs/verdicts.md
// [docs/operations.md]: https://github.com/shadowread/shadowread/blob/main/docs/operations.md
package telemetry
