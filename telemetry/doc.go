// Package telemetry reports shadow reads through OpenTelemetry.
//
// The middleware hands every sampled request to a [Recorder] as an [Event]:
// [Recorder.StartShadow] just before the shadow runs, [Recorder.Record]
// exactly once with the [Outcome]. [New] returns [OTel], the Recorder that
// turns these events into metrics and spans; [Nop] records nothing.
//
//	rec := telemetry.New(otel.GetTracerProvider(), otel.GetMeterProvider())
//
// # Metrics
//
// The meter and the tracer use the scope [ScopeName]. Attributes have few
// distinct values: route patterns (at most [WithMaxRoutes], then
// [OverflowRoute]), backend names, roles and outcomes from fixed sets.
//
//	name                    instrument  unit          attributes
//	shadowread.comparisons  counter     {comparison}  route, outcome, reason (skipped and shadow_error only)
//	shadowread.duration     histogram   s             route, backend, role (primary|shadow)
//
// # Traces
//
// Each shadow execution gets a span named "shadowread.shadow <route>", of kind
// internal. It is a new root linked to the request's span, since the request
// usually ends before its shadow. Its attributes carry the route, both
// backends, the outcome (shadowread.outcome=mismatch finds mismatches in
// Jaeger or Tempo), the number of differences and their signature; each
// difference the comparator kept is a span event with its path and kind.
// Shadow errors and timeouts set the span status to Error.
package telemetry
