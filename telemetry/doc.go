// Package telemetry reports shadow reads through OpenTelemetry and judges
// whether a route is ready for the cutover.
//
// The middleware hands every sampled request to a [Recorder] as an [Event]:
// [Recorder.StartShadow] just before the shadow runs, [Recorder.Record]
// exactly once with the [Outcome] (only Record for a shadow that never
// started). [New] returns [OTel], the Recorder that turns these events into
// metrics, spans, exemplars, readiness figures, log lines and a report page;
// [Nop] records nothing.
//
//	rec := telemetry.New(otel.GetTracerProvider(), otel.GetMeterProvider())
//	mux.Handle("/debug/shadowread", rec.ReportHandler())
//
// Record runs on the shadow goroutine, never on the request path. It keeps
// pre-built attribute sets per route and takes one mutex per route; it does
// no I/O besides the rate-limited log line. Everything it keeps is bounded
// whatever the traffic: at most [WithMaxRoutes] routes (then
// [OverflowRoute]), [WithMaxSignatures] signatures per route, fixed-size
// latency histograms.
//
// # Metrics
//
// The meter and the tracer use the scope [ScopeName], the package's import
// path. Attributes have few distinct values: route patterns (bounded as
// above), backend names, roles, outcomes, reasons and diff kinds from fixed
// sets; anything outside a set is recorded as "other". Never ids, raw paths
// or values.
//
//	name                         instrument     unit          attributes
//	shadowread.comparisons       counter        {comparison}  route, outcome, reason (when given)
//	shadowread.mismatches        counter        {mismatch}    route, kind
//	shadowread.duration          histogram      s             route, backend, role (primary|shadow)
//	shadowread.compare.duration  histogram      s             route
//	shadowread.inflight          updowncounter  {shadow}      route
//
// shadowread.comparisons counts every sampled request once, so dropped and
// skipped requests are outcomes of it, with a reason from the fixed Reason
// set (ReasonBodyTooLarge, ...), rather than separate counters: the outcomes
// of a route add up to its sampled requests, and any rate is one query.
// shadowread.mismatches counts a mismatch once for each kind of difference it
// shows. shadowread.duration has buckets from 0.5 ms to 10 s for database
// reads; the primary's time is recorded for every sampled request, the
// shadow's when it ran. shadowread.inflight goes up in StartShadow and down
// in Record.
//
// # Traces
//
// Each shadow execution gets a span named "shadowread.shadow <route>", of
// kind internal. It is a new root linked to the request's span
// (Event.RequestSpan), since the request usually ends before its shadow; the
// context StartShadow returns carries it, so the shadow's store calls become
// its children. Its attributes:
//
//	shadowread.route, shadowread.method      the request
//	shadowread.primary, shadowread.shadow    the two backends
//	shadowread.outcome, shadowread.reason    the outcome (shadowread.outcome=mismatch finds mismatches in Jaeger or Tempo)
//	shadowread.diff.count                    the differences the comparator kept
//	shadowread.diff.truncated                whether it found more
//	shadowread.diff.signature                comparator.Result.Signature
//
// Each kept difference is a span event "shadowread.diff" with
// shadowread.diff.path and shadowread.diff.kind, plus shadowread.diff.primary
// and shadowread.diff.shadow with [WithDiffValues]. Shadow errors and
// timeouts set the status to Error and record the error. Request headers and
// bodies never go on a span.
//
// # Exemplars
//
// Per route and diff signature the recorder keeps the count, the paths and
// kinds of the first occurrence (at most 10) and the trace ids of the latest
// five, newest first. When a route holds [WithMaxSignatures] signatures, a
// new one evicts the least frequent (the oldest among equals), and the
// evictions are counted, so frequent signatures stay while rare ones churn.
//
// # Readiness
//
// [OTel.Readiness] judges each route on its samples: the requests whose
// shadow gave a verdict (match, mismatch, transient, shadow error, timeout;
// not dropped or skipped). Failures are mismatches, shadow errors and
// timeouts, since each would be a wrong answer after the cutover. With k
// failures in n samples, the bound is the one-sided 95% Clopper-Pearson upper
// bound on the failure rate ([UpperBound]):
//
//	bound = B⁻¹(0.95; k+1, n-k)     the 0.95 quantile of Beta(k+1, n-k)
//	bound = 1 - 0.05^(1/n) ≈ 3/n   when k = 0
//	bound = 1                      when n = 0 or k = n
//
// A route is ready when n >= [WithMinSamples] (default 1,000) and bound <
// [WithReadyThreshold] (default 0.001). With the defaults a route needs about
// 3,000 clean samples. Latency p50 and p99 per role come from fixed
// logarithmic histograms (8 buckets per doubling, within 4.5%).
//
// # Report page
//
// [OTel.ReportHandler] serves [OTel.Report]: readiness, outcome counts,
// latency of primary against shadow and the top diff signatures with their
// trace ids per route, as a self-contained HTML page (html/template, inline
// CSS, no external assets) or as JSON (?format=json, or an Accept header
// with application/json and without text/html). Mount it on an internal
// address: it shows route patterns, diff paths and trace ids.
//
// # Logging
//
// A mismatch logs one structured line at level Warn, "shadowread: mismatch",
// to [WithLogger] (default slog.Default()) with route, signature, the
// occurrences since the signature's previous line, backends, kinds, paths and
// trace id. Each signature logs at most once per [WithLogInterval] (default
// one minute), and a route at most [WithMaxSignatures] lines per interval.
//
// # Values
//
// The values of a difference (Diff.Primary, Diff.Shadow) are redacted by the
// comparator unless it was told to show them, and this package leaves them
// out of spans, logs and the report unless [WithDiffValues] is set as well.
// They never become metric attributes.
package telemetry
