package telemetry

import (
	"context"
	"slices"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/shadowread/shadowread/telemetry/internal/label"
	"github.com/shadowread/shadowread/telemetry/internal/track"
)

// Span attribute keys.
const (
	attrRoute           = attribute.Key("shadowread.route")
	attrMethod          = attribute.Key("shadowread.method")
	attrPrimary         = attribute.Key("shadowread.primary")
	attrShadow          = attribute.Key("shadowread.shadow")
	attrOutcome         = attribute.Key("shadowread.outcome")
	attrReason          = attribute.Key("shadowread.reason")
	attrRecheck         = attribute.Key("shadowread.recheck")
	attrBaseline        = attribute.Key("shadowread.noise_baseline")
	attrNoise           = attribute.Key("shadowread.noise")
	attrEntityKey       = attribute.Key("shadowread.entity.key")
	attrPrimaryStatus   = attribute.Key("shadowread.primary.status_code")
	attrShadowStatus    = attribute.Key("shadowread.shadow.status_code")
	attrPrimaryDuration = attribute.Key("shadowread.primary.duration")
	attrShadowDuration  = attribute.Key("shadowread.shadow.duration")
	attrDiffCount       = attribute.Key("shadowread.diff.count")
	attrDiffTruncated   = attribute.Key("shadowread.diff.truncated")
	attrSignature       = attribute.Key("shadowread.diff.signature")
	attrDiffFields      = attribute.Key("shadowread.diff.fields")
	attrDiffKinds       = attribute.Key("shadowread.diff.kinds")
	attrDiffField       = attribute.Key("shadowread.diff.field")
	attrDiffPath        = attribute.Key("shadowread.diff.path")
	attrDiffKind        = attribute.Key("shadowread.diff.kind")
	attrDiffTriage      = attribute.Key("shadowread.diff.triage")
	attrDiffOption      = attribute.Key("shadowread.diff.option")
	attrDiffPrimary     = attribute.Key("shadowread.diff.primary")
	attrDiffShadow      = attribute.Key("shadowread.diff.shadow")
)

// diffEventName names the span event of one difference.
const diffEventName = "shadowread.diff"

// maxSpanFields bounds the fields and noise listed in one span attribute.
const maxSpanFields = 16

// startSpan starts the span of one shadow execution as a child of the
// request's span (e.RequestSpan, or the span in ctx), so it lands in the
// request's trace and a parent-based sampler gives it the request's
// sampling decision: a shadow of a sampled request is exported, one of an
// unsampled request is not, and no trace id leads nowhere. The shadow
// usually ends after the request span; tracing backends show that as a
// child outliving its parent.
func (c config) startSpan(ctx context.Context, tracer trace.Tracer, r *track.Route, e Event) (context.Context, trace.Span) {
	if e.RequestSpan.IsValid() {
		ctx = trace.ContextWithSpanContext(ctx, e.RequestSpan)
	}
	kvs := []attribute.KeyValue{
		attrRoute.String(r.Name),
		attrMethod.String(e.Method),
		attrPrimary.String(string(e.Primary)),
		attrShadow.String(string(e.Shadow)),
	}
	if key := label.EntityKey(e.EntityKey, c.entityKeys); key != "" {
		kvs = append(kvs, attrEntityKey.String(key))
	}
	name := r.SpanName
	if e.NoiseBaseline {
		kvs = append(kvs, attrBaseline.Bool(true))
		name = r.BaselineSpanName // an A/A pair is no verdict on the shadow: told apart by name
	}
	return tracer.Start(ctx, name, internalSpan, trace.WithAttributes(kvs...))
}

// internalSpan is the shadow span's kind, made once: the option is an
// allocation on every span otherwise.
var internalSpan = trace.WithSpanKind(trace.SpanKindInternal)

// endSpan sets the outcome on the shadow span, adds one event per kept
// difference and ends it. Only fields, paths, kinds and hints go on the span
// unless values were opted in ([WithDiffValues]). A mismatch is an Error
// span, so tail samplers and error views keep and show it.
func (c config) endSpan(span trace.Span, e Event, signature string) {
	if !span.IsRecording() {
		span.End()
		return
	}
	var attrs []attribute.KeyValue
	if !e.NoiseBaseline {
		// An A/A span is no verdict on the shadow: a search for mismatches
		// and a tail sampler keeping them must not pick it.
		attrs = append(attrs, attrOutcome.String(string(outcomeLabel(e.Outcome))))
	}
	if e.Reason != "" {
		attrs = append(attrs, attrReason.String(string(e.Reason)))
	}
	if e.Recheck != RecheckNone {
		attrs = append(attrs, attrRecheck.String(string(recheckLabel(e.Recheck))))
	}
	if e.PrimaryStatus != 0 {
		attrs = append(attrs, attrPrimaryStatus.Int(e.PrimaryStatus))
	}
	if e.ShadowStatus != 0 {
		attrs = append(attrs, attrShadowStatus.Int(e.ShadowStatus))
	}
	if e.PrimaryDuration > 0 {
		attrs = append(attrs, attrPrimaryDuration.Float64(e.PrimaryDuration.Seconds()))
	}
	if e.ShadowDuration > 0 {
		attrs = append(attrs, attrShadowDuration.Float64(e.ShadowDuration.Seconds()))
	}
	if len(e.Noise) > 0 {
		attrs = append(attrs, attrNoise.StringSlice(clipAll(e.Noise[:min(len(e.Noise), maxSpanFields)])))
	}
	if e.Outcome == Mismatch || len(e.Result.Diffs) > 0 {
		var fields, kinds []string
		for _, d := range e.Result.Diffs {
			if f := label.Clip(d.FieldName()); len(fields) < maxSpanFields && !slices.Contains(fields, f) {
				fields = append(fields, f)
			}
			if k := string(track.Kind(d.Kind)); !slices.Contains(kinds, k) {
				kinds = append(kinds, k)
			}
		}
		attrs = append(attrs,
			attrDiffCount.Int(len(e.Result.Diffs)),
			attrDiffTruncated.Bool(e.Result.Truncated),
			attrSignature.String(signature),
			attrDiffFields.StringSlice(fields),
			attrDiffKinds.StringSlice(kinds),
		)
	}
	span.SetAttributes(attrs...)
	values := c.showsValues(e.Result)
	for _, d := range e.Result.Diffs {
		kv := []attribute.KeyValue{
			attrDiffField.String(label.Clip(d.FieldName())),
			attrDiffPath.String(label.Clip(d.Path)),
			attrDiffKind.String(string(d.Kind)),
		}
		if d.Hint.Triage != "" {
			kv = append(kv, attrDiffTriage.String(string(d.Hint.Triage)))
		}
		if d.Hint.Option != "" {
			kv = append(kv, attrDiffOption.String(label.Clip(d.Hint.Option)))
		}
		if values {
			kv = append(kv, attrDiffPrimary.String(d.Primary), attrDiffShadow.String(d.Shadow))
		}
		span.AddEvent(diffEventName, trace.WithAttributes(kv...))
	}
	switch {
	case e.NoiseBaseline:
	case e.Outcome == Mismatch:
		span.SetStatus(codes.Error, "shadowread: mismatch")
	case e.Outcome == ShadowError, e.Outcome == Timeout:
		if e.Err != nil {
			span.RecordError(e.Err)
		}
		span.SetStatus(codes.Error, string(e.Outcome))
	}
	span.End()
}

func clipAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = label.Clip(s)
	}
	return out
}
