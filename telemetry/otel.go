package telemetry

import (
	"context"
	"sync/atomic"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/shadowread/shadowread/telemetry/internal/bound"
	"github.com/shadowread/shadowread/telemetry/internal/track"
)

// ScopeName is the instrumentation scope of the recorder's tracer and meter:
// the package's import path.
const ScopeName = "github.com/shadowread/shadowread/telemetry"

// OTel is a [Recorder] that reports shadow reads through OpenTelemetry
// metrics and spans, keeps mismatch exemplars, readiness statistics and
// noise counts per route and direction, and logs mismatches. Create it
// with [New]; it is safe for concurrent use.
type OTel struct {
	cfg    config
	tracer trace.Tracer
	inst   instruments
	track  *track.Tracker
	// need remembers the samples the bound needs, by failures.
	need *bound.Needed
	// problems are asked on each report (AddProblemSource).
	problems problemSources
}

var _ Recorder = (*OTel)(nil)

// New returns a recorder that reports through the given providers. A nil
// provider stands for the global one (otel.GetTracerProvider,
// otel.GetMeterProvider), and a nil Option is ignored. New never fails: an
// instrument that cannot be created is reported to otel.Handle and left
// out. Invalid options panic when they are built.
func New(tp trace.TracerProvider, mp metric.MeterProvider, opts ...Option) *OTel {
	cfg := newConfig(opts)
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	o := &OTel{
		cfg:    cfg,
		tracer: tp.Tracer(ScopeName),
		inst:   newInstruments(mp.Meter(ScopeName)),
	}
	o.track = track.New(track.Config{
		MaxRoutes:     cfg.maxRoutes,
		MaxSignatures: cfg.maxSignatures,
		MaxFields:     MaxMismatchFields,
		Window:        cfg.window,
		LogInterval:   cfg.logInterval,
		Now:           cfg.now,
	}, o.inst.startAtZero)
	o.track.Declare(cfg.routes)
	o.need = bound.NewNeeded(cfg.readyThreshold)
	return o
}

// AddProblemSource makes the report ([OTel.Report], the report page) ask f,
// each time it is built, what keeps the service from shadowing, and show a
// non-nil answer as a banner above everything else. middleware.New adds its
// Shadower's Problem to the recorder it is given, so a Shadower without
// flags, or with flags served by no provider, says so on the page. f must
// be cheap and safe for concurrent use; a nil f is ignored.
func (o *OTel) AddProblemSource(f func() error) {
	if f == nil {
		return
	}
	o.problems.mu.Lock()
	defer o.problems.mu.Unlock()
	o.problems.funcs = append(o.problems.funcs, f)
}

// shadowKey is the context key of a shadow this recorder started; its value
// is a *shadowRun. The recorder is part of the key, so several recorders
// behind [Multi] each find their own.
type shadowKey struct{ o *OTel }

// shadowRun is one shadow execution, from StartShadow to Record.
type shadowRun struct {
	route *track.Route
	span  trace.Span
	ended atomic.Bool
}

// StartShadow starts the shadow span, a child of e.RequestSpan that follows
// the request's sampling decision, counts the shadow as in flight and
// returns ctx carrying both.
func (o *OTel) StartShadow(ctx context.Context, e Event) context.Context {
	run := &shadowRun{route: o.track.Route(e.Route)}
	ctx, run.span = o.cfg.startSpan(ctx, o.tracer, run.route, e)
	if !e.NoiseBaseline {
		o.inst.inflight.Add(ctx, 1, o.track.Base(run.route, directionOf(e)).Add...)
	}
	return context.WithValue(ctx, shadowKey{o}, run)
}

// Record counts e's outcome and records its durations, keeps the exemplar
// and readiness statistics of its route and direction and, when ctx comes
// from StartShadow, ends the shadow span and the shadow's in-flight count.
// An A/A event (e.NoiseBaseline) only feeds the route's noise counts.
func (o *OTel) Record(ctx context.Context, e Event) {
	run, _ := ctx.Value(shadowKey{o}).(*shadowRun)
	var r *track.Route
	if run != nil {
		r = run.route
	} else {
		r = o.track.Route(e.Route)
	}
	signature := e.Result.Signature()
	if e.NoiseBaseline {
		o.recordBaseline(ctx, r, run, e, signature)
		return
	}
	traceID := shownTraceID(run, e)
	m, logged := o.track.Observe(r, directionOf(e), o.cfg.observation(e, signature, traceID))

	o.inst.comparisons.Add(ctx, 1, m.Comparison.Add...)
	for _, kind := range m.Kinds() {
		o.inst.mismatches.Add(ctx, 1, kind.Add...)
	}
	for _, field := range m.Fields {
		o.inst.mismatchFields.Add(ctx, 1, field.Add...)
	}
	if m.Recheck != nil {
		o.inst.rechecks.Add(ctx, 1, m.Recheck.Add...)
	}
	if len(e.Noise) > 0 {
		o.inst.noise.Add(ctx, int64(len(e.Noise)), r.AbsorbedAttrs.Add...)
	}
	if e.PrimaryDuration > 0 {
		o.inst.duration.Record(ctx, e.PrimaryDuration.Seconds(), m.Primary.Record...)
	}
	if e.ShadowDuration > 0 {
		o.inst.duration.Record(ctx, e.ShadowDuration.Seconds(), m.Shadow.Record...)
	}
	if e.CompareDuration > 0 {
		o.inst.compareDuration.Record(ctx, e.CompareDuration.Seconds(), m.Base.Record...)
	}
	if run != nil && run.ended.CompareAndSwap(false, true) {
		o.inst.inflight.Add(ctx, -1, m.Base.Add...)
		o.cfg.endSpan(run.span, e, signature)
	}
	if logged.Due {
		o.cfg.logMismatch(ctx, r.Name, e, signature, logged.Occurrences, traceID)
	}
}

// recordBaseline counts the fields an A/A pair differed on in the route's
// noise. It is no verdict on the shadow: no outcome, latency or readiness
// sample is recorded.
func (o *OTel) recordBaseline(ctx context.Context, r *track.Route, run *shadowRun, e Event, signature string) {
	if n := o.track.BaselinePair(r, e.Result.Diffs); n > 0 {
		o.inst.noise.Add(ctx, int64(n), r.BaselineAttrs.Add...)
	}
	if run != nil && run.ended.CompareAndSwap(false, true) {
		o.cfg.endSpan(run.span, e, signature)
	}
}

// shownTraceID returns the trace id that may be shown for e (on the report,
// in log lines): the shadow span's when it was sampled, else the request's
// when the shadow never started and the request was sampled. A trace that
// was not sampled is never exported, so its id would lead nowhere.
func shownTraceID(run *shadowRun, e Event) trace.TraceID {
	if run != nil {
		if sc := run.span.SpanContext(); sc.IsSampled() {
			return sc.TraceID()
		}
		return trace.TraceID{}
	}
	if e.RequestSpan.IsSampled() {
		return e.RequestSpan.TraceID()
	}
	return trace.TraceID{}
}
