// Package telemetry reports shadow reads through OpenTelemetry and judges
// whether a route is ready for the cutover.
//
// The middleware hands every sampled request to a [Recorder] as an [Event]:
// [Recorder.StartShadow] just before the shadow runs, [Recorder.Record]
// exactly once with the [Outcome] (only Record for a shadow that never
// started), and once more for an A/A pair of the noise baseline
// ([Event.NoiseBaseline]), which is never a readiness sample. [New] returns [OTel], the Recorder that turns these events into
// metrics, spans, exemplars, readiness figures, log lines and a report page;
// [Nop] records nothing and [Multi] hands each event to several recorders.
//
//	rec := telemetry.New(otel.GetTracerProvider(), otel.GetMeterProvider(),
//		telemetry.WithRoutes("/products/{id}", "/orders/{id}"),
//		telemetry.WithTraceURL("http://localhost:16686/trace/{trace_id}"))
//	mux.Handle("GET /debug/shadowread", rec.ReportHandler())
//	mux.Handle("POST /debug/shadowread/mark", rec.MarkHandler())
//
// The package's files follow its concerns: the contract ([Event], [Outcome],
// [Reason], [Recorder], [Multi]), the OTel recorder (otel.go, span.go,
// instruments.go, series.go, logging.go), the route tracker with readiness
// (route.go, flow.go, window.go, mark.go, noise.go, exemplars.go,
// latency.go, bound.go) and the report page (report*.go, report.gohtml).
//
// Record runs on the shadow goroutine, never on the request path. It keeps
// pre-built attribute sets per route and direction and takes one mutex per
// route; it does no I/O besides the rate-limited log line. Everything it
// keeps is bounded whatever the traffic: at most [WithMaxRoutes] routes
// (default [backends.DefaultMaxRoutes], then [backends.OverflowRoute]), at
// most 9 directions per route (backend names outside postgres and dynamodb
// are "other"; in practice one or two), [WithMaxSignatures] signatures per
// route and direction, 32 noise fields per route, fixed-size latency
// histograms and 60 window buckets.
//
// # Direction
//
// A route is read from PostgreSQL and shadowed to DynamoDB until its switch,
// then the other way round. Every figure is kept per route and direction
// (primary, shadow): metric series, readiness, latency and signatures, so
// numbers from before and after a partial switch never mix. [OTel.Readiness]
// lists each direction with its [RouteReadiness.Primary] and
// [RouteReadiness.Shadow]; the report page shows the directions of a route
// side by side.
//
// # Metrics
//
// The meter and the tracer use the scope [ScopeName], the package's import
// path. Attributes have few distinct values: route patterns (bounded as
// above), backend names, roles, outcomes, reasons, diff kinds and re-check
// results from fixed sets; anything outside a set is recorded as "other".
// Diff fields, index-free and with data-like keys redacted by the
// comparator, name the series of shadowread.mismatch_fields only, at most
// [MaxMismatchFields] per route and direction. Never ids, entity keys, raw
// paths or values.
//
//	name                         instrument     unit          attributes
//	shadowread.comparisons       counter        {comparison}  route, primary, shadow, outcome, reason (when given)
//	shadowread.mismatches        counter        {mismatch}    route, primary, shadow, kind
//	shadowread.mismatch_fields   counter        {mismatch}    route, primary, shadow, field
//	shadowread.rechecks          counter        {recheck}     route, primary, shadow, result
//	shadowread.noise             counter        {field}       route, source (baseline|absorbed)
//	shadowread.duration          histogram      s             route, primary, shadow, role (primary|shadow), backend
//	shadowread.compare.duration  histogram      s             route, primary, shadow
//	shadowread.inflight          updowncounter  {shadow}      route, primary, shadow
//
// shadowread.comparisons counts every sampled request once, so dropped and
// skipped requests are outcomes of it, with a reason from the fixed Reason
// set (ReasonBodyTooLarge, ...), rather than separate counters: the outcomes
// of a route add up to its sampled requests, and any rate is one query. A/A
// noise-baseline events are not comparisons of the shadow and are not
// counted there. shadowread.mismatches counts a mismatch once for each kind
// of difference it shows, shadowread.mismatch_fields once for each
// index-free field (orders[].status): the first [MaxMismatchFields] fields
// of a route and direction have their own series, later ones count as
// "other", so a dashboard shows which fields break most. shadowread.rechecks counts the delayed re-checks
// of mismatches by result (transient, confirmed, repaired, absorbed,
// dropped, failed).
// shadowread.noise counts the fields seen differing between two reads of
// the primary (source baseline) and the fields whose differences were
// absorbed as noise in comparisons with the shadow (source absorbed). shadowread.duration has buckets from 0.5 ms to
// 10 s for database reads; the primary's time is recorded for every sampled
// request, the shadow's when it ran. shadowread.inflight goes up in
// StartShadow and down in Record.
//
// # Series that start at zero
//
// Prometheus ignores the first sample of a series in rate() and increase(),
// and OpenTelemetry series appear with their first value: a route's first
// mismatch would go uncounted. So when a route and direction is first seen,
// the recorder creates every counter series of it at 0: the 23 outcome
// series of shadowread.comparisons (match, mismatch, timeout; transient
// with write_raced and with shadow_lagged; shadow_error without a reason,
// with panic and with status_5xx; dropped without a reason, with
// throttled, latency_guard and closed; skipped with each of its 11
// reasons), the 5 kinds of shadowread.mismatches and the 6 results of
// shadowread.rechecks: 34 series. [WithRoutes] declares routes up
// front, with their series at 0 in both directions (postgres→dynamodb and
// dynamodb→postgres) from the start, so even a route's first event counts.
// The series of shadowread.mismatch_fields appear with a route's mismatches,
// at most MaxMismatchFields + 1 per route and direction.
// The series count stays bounded: at most (routes + 1) × directions × 34,
// plus one series per outcome, kind or result of "other" when a caller
// passes a value outside the fixed sets. A service with 20 declared routes
// has 20 × 2 × 34 = 1,360 counter series; the worst case with the default
// limit and two directions is 1,025 × 2 × 34, about 69,700.
//
// # Traces
//
// Each shadow execution gets a span named "shadowread.shadow <route>", of
// kind internal, a child of the request's span (Event.RequestSpan, or the
// span in the context): it lands in the request's trace, and a parent-based
// sampler (the SDK's default, sdktrace.ParentBased) gives it the request's
// sampling decision. The shadow usually ends after the request; tracing
// backends show that as a child outliving its parent. The context
// StartShadow returns carries the span, so the shadow's store calls become
// its children. Its attributes:
//
//	shadowread.route, shadowread.method                the request
//	shadowread.primary, shadowread.shadow              the two backends
//	shadowread.entity.key                              Event.EntityKey, redacted unless WithEntityKeysShown
//	shadowread.outcome, shadowread.reason              the outcome (shadowread.outcome=mismatch finds mismatches in Jaeger or Tempo)
//	shadowread.recheck                                 the re-check result, when one ran
//	shadowread.primary.status_code, .shadow.status_code  the HTTP status codes (Event.PrimaryStatus, ShadowStatus)
//	shadowread.primary.duration, .shadow.duration      the handler times, in seconds
//	shadowread.diff.count, shadowread.diff.truncated   the differences the comparator kept, and whether it found more
//	shadowread.diff.signature                          comparator.Result.Signature
//	shadowread.diff.fields, shadowread.diff.kinds      the index-free fields (Diff.Field, the path when empty) and kinds
//	shadowread.noise                                   the fields whose differences were absorbed as noise
//	shadowread.noise_baseline                          true on an A/A span, which has no outcome and never status Error
//
// Each kept difference is a span event "shadowread.diff" with
// shadowread.diff.field, shadowread.diff.path, shadowread.diff.kind, the
// triage hint (shadowread.diff.triage, shadowread.diff.option), plus
// shadowread.diff.primary and shadowread.diff.shadow with [WithDiffValues].
// A mismatch, a shadow error and a timeout set the status to Error (errors
// and timeouts record the error too), so error views and tail samplers
// pick them. Request headers and bodies never go on a span.
//
// In Jaeger, the tags shadowread.outcome=mismatch shadowread.route=/orders/{id}
// find a route's mismatches, and shadowread.diff.field=items[].price (a
// field of the diff events, which Jaeger's tag search covers) those on one
// field; in Tempo, the TraceQL query
// { span.shadowread.outcome = "mismatch" && event.shadowread.diff.field = "items[].price" }.
//
// # Trace ids that resolve
//
// A trace that was not sampled is never exported, so its id would lead
// nowhere. The recorder shows trace ids (on the report page, in mismatch log
// lines) only for sampled shadow spans, or for a sampled request span when
// the shadow never started; the SDK keeps metric exemplars of sampled
// traces only. [WithTraceURL] turns the ids on the report page into links:
//
//	telemetry.WithTraceURL("http://localhost:16686/trace/{trace_id}") // Jaeger
//	telemetry.WithTraceURL("http://localhost:3000/explore?left=%7B%22datasource%22:%22tempo%22,%22queries%22:%5B%7B%22query%22:%22{trace_id}%22,%22queryType%22:%22traceql%22%7D%5D%7D") // Grafana with Tempo
//
// # Keeping every mismatching trace
//
// A head sampler decides before anyone knows whether the shadow will
// mismatch, so at 1% it drops 99% of the mismatching traces. To keep them
// all, let the SDK sample every trace (sdktrace.ParentBased(
// sdktrace.AlwaysSample()), or a high ratio) and decide in an OpenTelemetry
// Collector with the tail_sampling processor: keep each trace with a
// shadowread mismatch or error, and a share of the rest. decision_wait must
// exceed the request time plus the shadow's timeout, since the shadow span
// ends after the request:
//
//	processors:
//	  tail_sampling:
//	    decision_wait: 30s
//	    num_traces: 100000
//	    policies:
//	      - name: shadowread-mismatch
//	        type: string_attribute
//	        string_attribute:
//	          key: shadowread.outcome
//	          values: [mismatch, shadow_error, timeout]
//	      - name: errors
//	        type: status_code
//	        status_code:
//	          status_codes: [ERROR]
//	      - name: everything-else
//	        type: probabilistic
//	        probabilistic:
//	          sampling_percentage: 1
//	service:
//	  pipelines:
//	    traces:
//	      receivers: [otlp]
//	      processors: [tail_sampling, batch]
//	      exporters: [otlp]
//
// # Exemplars
//
// Per route, direction and diff signature the recorder keeps the count, the
// fields, paths, kinds and hints of the first occurrence (at most 10) and
// the sampled trace ids of the latest five, newest first. When a flow holds
// [WithMaxSignatures] signatures, a new one evicts the least frequent (the
// oldest among equals), and the evictions are counted, so frequent
// signatures stay while rare ones churn. The metric instruments are
// recorded with the shadow span's context, so an SDK with exemplars on (the
// default trace-based filter) attaches the trace of a sampled shadow.
//
// # Readiness
//
// [OTel.Readiness] judges each route and direction. Every sampled request
// (A/A baseline events aside) counts in Sampled; it was compared when the
// shadow gave an answer the user could have got: a match, a mismatch or a
// shadow error. Samples for the bound are the compared requests and
// timeouts; failures are mismatches, shadow errors and timeouts, since each
// would be a wrong answer after the cutover. Transients (the re-check showed
// the write that explains the difference), drops and skips are neither
// samples nor failures. With k failures in n samples, the bound is the
// one-sided 95% Clopper-Pearson upper bound on the failure rate
// ([UpperBound]):
//
//	bound = B⁻¹(0.95; k+1, n-k)     the 0.95 quantile of Beta(k+1, n-k)
//	bound = 1 - 0.05^(1/n) ≈ 3/n   when k = 0
//	bound = 1                      when n = 0 or k = n
//
// What was not compared is not a pass: coverage is compared / sampled, and
// [RouteReadiness].NotCompared lists what lowered it (transients by
// write_raced or shadow_lagged, timeouts, drops and skips by reason). A
// route is ready when n >= [WithMinSamples] (default 1,000), bound <
// [WithReadyThreshold] (default 0.001) and coverage >= [WithMinCoverage]
// (default [DefaultMinCoverage], 0.95). With the defaults a route needs
// 2,995 clean samples; [RouteReadiness].CleanSamplesNeeded says how many
// more, with the failures seen so far. Three figures stand side by side:
// cumulative since the recorder started; over a sliding window
// ([WithReadinessWindow], default one hour, kept in 60 time buckets, so it
// moves in one-minute steps); and since the latest mark ([OTel.Mark], or a
// POST to [OTel.MarkHandler]) for "I deployed a fix". Latency p50 and p99
// per role come from fixed logarithmic histograms (8 buckets per doubling,
// within 4.5%).
//
// # Triage
//
// For each mismatch signature, [RouteReadiness.Triage] and the report say
// what its differences look like, from the comparator's hints
// (comparator.Diff.Hint): a representation difference (12.50 vs 12.5, a
// timestamp at another precision, null vs missing), naming the comparator
// option that would absorb it; data loss (a float32-rounded price, a
// truncated timestamp, a missing element), which no option should hide; or
// unknown. Nothing is absorbed automatically. The report page groups the
// signatures by triage: data loss, unknown, representation.
//
// # Noise
//
// What is noise is decided where requests are compared (the middleware): a
// field is absorbed only when proven nondeterministic, by two immediate
// reads of the primary or the request's own A/A pair. The recorder only
// counts what the events say, per route and field: the A/A pairs
// (Event.NoiseBaseline, never samples) in which it differed, and the
// comparisons with the shadow in which its differences were absorbed
// (Event.Noise). [NoiseReport].Suspicious flags a field absorbed between
// the stores far more often than it differs between two primary reads
// (absorbed rate > 2 × A/A rate + 0.05, from 20 comparisons on): a sign
// that real data is being absorbed. At most 32 fields per route, the least
// counted evicted first. The report lists them; shadowread.noise counts
// them.
//
// # Report page
//
// [OTel.ReportHandler] serves [OTel.Report]: readiness of each direction
// side by side (cumulative, windowed, since the mark) with its coverage and
// what was not compared, outcome and re-check counts, latency of primary
// against shadow, the top diff signatures grouped by triage with sampled
// trace ids (links with [WithTraceURL]) and the noise counts, as a self-contained HTML page (html/template, inline CSS,
// no external assets) or as JSON (?format=json, or an Accept header with
// application/json and without text/html). Mount it on an internal address:
// it shows route patterns, diff fields and trace ids.
//
// # Logging
//
// A mismatch logs one structured line at level Warn, "shadowread: mismatch",
// to [WithLogger] (default slog.Default()) with route, signature, the
// occurrences since the signature's previous line, backends, kinds, fields,
// paths, the entity key (redacted unless shown) and the trace id when the
// trace was sampled. Each signature logs at most once per [WithLogInterval]
// (default one minute), and a route at most [WithMaxSignatures] lines per
// interval.
//
// # Values and entity keys
//
// The values of a difference (Diff.Primary, Diff.Shadow) are redacted by the
// comparator unless it was told to show them (comparator.ShowValues, the one
// option to set in development; the result says so in ValuesShown), and
// this package leaves them out of spans, logs and the report unless the
// result shows them or [WithDiffValues] is set, for other comparators.
// Event.EntityKey (which product mismatched) goes on the shadow span and the
// mismatch log line as "#" and 8 hex digits of its SHA-256, stable so one
// entity's occurrences group together, unless [WithEntityKeysShown] is set.
// Neither ever becomes a metric attribute.
package telemetry
