package telemetry

import (
	"context"
	"sync/atomic"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/shadowread/shadowread/backends"
)

// ScopeName is the instrumentation scope of the recorder's tracer and meter:
// the package's import path.
const ScopeName = "github.com/shadowread/shadowread/telemetry"

// OTel is a [Recorder] that reports shadow reads through OpenTelemetry
// metrics and spans, keeps mismatch exemplars and readiness statistics per
// route, and logs mismatches. Create it with [New]; it is safe for
// concurrent use.
type OTel struct {
	cfg    config
	tracer trace.Tracer
	inst   instruments
	routes *routeTable
}

var _ Recorder = (*OTel)(nil)

// New returns a recorder that reports through the given providers. A nil
// provider stands for the global one (otel.GetTracerProvider,
// otel.GetMeterProvider). New never fails: an instrument that cannot be
// created is reported to otel.Handle and left out. Invalid options panic.
func New(tp trace.TracerProvider, mp metric.MeterProvider, opts ...Option) *OTel {
	cfg := newConfig(opts)
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	return &OTel{
		cfg:    cfg,
		tracer: tp.Tracer(ScopeName),
		inst:   newInstruments(mp.Meter(ScopeName)),
		routes: newRouteTable(cfg.maxRoutes, cfg.maxSignatures),
	}
}

// shadowKey is the context key of the running shadow; its value is a *shadowRun.
type shadowKey struct{}

// shadowRun is one shadow execution, from StartShadow to Record.
type shadowRun struct {
	route *route
	span  trace.Span
	ended atomic.Bool
}

// StartShadow starts the shadow span, a new root linked to e.RequestSpan
// (the request's span usually ends before the shadow does), counts the
// shadow as in flight and returns ctx carrying both.
func (o *OTel) StartShadow(ctx context.Context, e Event) context.Context {
	run := &shadowRun{route: o.routes.get(e.Route)}
	ctx, run.span = o.startSpan(ctx, run.route, e)
	o.inst.inflight.Add(ctx, 1, run.route.attrs)
	return context.WithValue(ctx, shadowKey{}, run)
}

// Record counts e's outcome and records its durations, keeps the exemplar
// and readiness statistics of its route and, when ctx comes from
// StartShadow, ends the shadow span and the shadow's in-flight count.
func (o *OTel) Record(ctx context.Context, e Event) {
	run, _ := ctx.Value(shadowKey{}).(*shadowRun)
	var r *route
	var traceID trace.TraceID
	if run != nil {
		r = run.route
		traceID = run.span.SpanContext().TraceID()
	} else {
		r = o.routes.get(e.Route)
	}
	if !traceID.IsValid() {
		traceID = e.RequestSpan.TraceID()
	}
	outcome := outcomeLabel(e.Outcome)
	signature := e.Result.Signature()
	now := o.cfg.now()

	r.mu.Lock()
	m := r.observe(e, outcome)
	var logged mismatchLog
	if outcome == Mismatch {
		ex := r.exemplars.observe(signature, e.Result, traceID, now, o.cfg.diffValues)
		logged = r.logDue(ex, now, o.cfg)
	}
	r.mu.Unlock()

	o.inst.comparisons.Add(ctx, 1, m.comparison)
	for _, kind := range m.kinds[:m.nkinds] {
		o.inst.mismatches.Add(ctx, 1, kind)
	}
	if e.PrimaryDuration > 0 {
		o.inst.duration.Record(ctx, e.PrimaryDuration.Seconds(), m.primary)
	}
	if e.ShadowDuration > 0 {
		o.inst.duration.Record(ctx, e.ShadowDuration.Seconds(), m.shadow)
	}
	if e.CompareDuration > 0 {
		o.inst.compareDuration.Record(ctx, e.CompareDuration.Seconds(), r.attrs)
	}
	if run != nil && run.ended.CompareAndSwap(false, true) {
		o.inst.inflight.Add(ctx, -1, r.attrs)
		o.endSpan(run.span, e, signature)
	}
	if logged.due {
		o.logMismatch(ctx, r.name, e, signature, logged.occurrences, traceID)
	}
}

// measurements are the attribute sets one event is recorded with.
type measurements struct {
	comparison, primary, shadow metric.MeasurementOption
	kinds                       [kindLabels]metric.MeasurementOption // one per distinct kind label
	nkinds                      int
}

// observe updates r's statistics with e and returns the attribute sets to
// record e with. r.mu must be held.
func (r *route) observe(e Event, outcome Outcome) measurements {
	r.outcomes[outcome]++
	if e.Primary != "" {
		r.primary, r.shadow = backendLabel(e.Primary), backendLabel(e.Shadow)
	}
	if e.PrimaryDuration > 0 {
		r.primaryLatency.observe(e.PrimaryDuration)
	}
	if e.ShadowDuration > 0 {
		r.shadowLatency.observe(e.ShadowDuration)
	}
	m := measurements{
		comparison: r.measurement(attrKey{outcome: outcome, reason: reasonLabel(e.Reason)}),
		primary:    r.measurement(attrKey{backend: backendLabel(e.Primary), role: backends.RolePrimary}),
		shadow:     r.measurement(attrKey{backend: backendLabel(e.Shadow), role: backends.RoleShadow}),
	}
	if outcome == Mismatch {
		var seen [len(m.kinds)]bool
		for _, d := range e.Result.Diffs {
			if i := kindIndex(d.Kind); !seen[i] {
				seen[i] = true
				m.kinds[m.nkinds] = r.measurement(attrKey{kind: kindLabel(d.Kind)})
				m.nkinds++
			}
		}
	}
	return m
}
