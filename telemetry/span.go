package telemetry

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// Span attribute keys.
const (
	attrRoute         = attribute.Key("shadowread.route")
	attrMethod        = attribute.Key("shadowread.method")
	attrPrimary       = attribute.Key("shadowread.primary")
	attrShadow        = attribute.Key("shadowread.shadow")
	attrOutcome       = attribute.Key("shadowread.outcome")
	attrReason        = attribute.Key("shadowread.reason")
	attrDiffCount     = attribute.Key("shadowread.diff.count")
	attrDiffTruncated = attribute.Key("shadowread.diff.truncated")
	attrSignature     = attribute.Key("shadowread.diff.signature")
	attrDiffPath      = attribute.Key("shadowread.diff.path")
	attrDiffKind      = attribute.Key("shadowread.diff.kind")
	attrDiffPrimary   = attribute.Key("shadowread.diff.primary")
	attrDiffShadow    = attribute.Key("shadowread.diff.shadow")
)

// diffEventName names the span event of one difference.
const diffEventName = "shadowread.diff"

// startSpan starts the span of one shadow execution: a new root, because the
// request's span usually ends first, linked to the request's span.
func (o *OTel) startSpan(ctx context.Context, r *route, e Event) (context.Context, trace.Span) {
	opts := []trace.SpanStartOption{
		trace.WithNewRoot(),
		trace.WithSpanKind(trace.SpanKindInternal),
		trace.WithAttributes(
			attrRoute.String(r.name),
			attrMethod.String(e.Method),
			attrPrimary.String(string(e.Primary)),
			attrShadow.String(string(e.Shadow)),
		),
	}
	if e.RequestSpan.IsValid() {
		opts = append(opts, trace.WithLinks(trace.Link{SpanContext: e.RequestSpan}))
	}
	return o.tracer.Start(ctx, r.spanName, opts...)
}

// endSpan sets the outcome on the shadow span, adds one event per kept
// difference and ends it. Only paths and kinds go on the span unless values
// were opted in ([WithDiffValues]).
func (o *OTel) endSpan(span trace.Span, e Event, signature string) {
	attrs := []attribute.KeyValue{attrOutcome.String(string(outcomeLabel(e.Outcome)))}
	if e.Reason != "" {
		attrs = append(attrs, attrReason.String(string(e.Reason)))
	}
	if e.Outcome == Mismatch || len(e.Result.Diffs) > 0 {
		attrs = append(attrs,
			attrDiffCount.Int(len(e.Result.Diffs)),
			attrDiffTruncated.Bool(e.Result.Truncated),
			attrSignature.String(signature),
		)
	}
	span.SetAttributes(attrs...)
	for _, d := range e.Result.Diffs {
		kv := []attribute.KeyValue{attrDiffPath.String(d.Path), attrDiffKind.String(string(d.Kind))}
		if o.cfg.diffValues {
			kv = append(kv, attrDiffPrimary.String(d.Primary), attrDiffShadow.String(d.Shadow))
		}
		span.AddEvent(diffEventName, trace.WithAttributes(kv...))
	}
	switch e.Outcome {
	case ShadowError, Timeout:
		if e.Err != nil {
			span.RecordError(e.Err)
		}
		span.SetStatus(codes.Error, string(e.Outcome))
	}
	span.End()
}
