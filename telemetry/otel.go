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
// metrics and spans. Create it with [New]; it is safe for concurrent use.
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
// created is reported to otel.Handle and left out.
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
		routes: newRouteTable(cfg.maxRoutes),
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
// (the request's span usually ends before the shadow does), and returns ctx
// carrying it.
func (o *OTel) StartShadow(ctx context.Context, e Event) context.Context {
	run := &shadowRun{route: o.routes.get(e.Route)}
	ctx, run.span = o.startSpan(ctx, run.route, e)
	return context.WithValue(ctx, shadowKey{}, run)
}

// Record counts e's outcome, records its durations and, when ctx comes from
// StartShadow, ends the shadow span with the outcome and the differences.
func (o *OTel) Record(ctx context.Context, e Event) {
	run, _ := ctx.Value(shadowKey{}).(*shadowRun)
	var r *route
	if run != nil {
		r = run.route
	} else {
		r = o.routes.get(e.Route)
	}

	r.mu.Lock()
	comparison := r.measurement(attrKey{outcome: outcomeLabel(e.Outcome), reason: reasonLabel(e.Reason)})
	primary := r.measurement(attrKey{backend: backendLabel(e.Primary), role: backends.RolePrimary})
	shadow := r.measurement(attrKey{backend: backendLabel(e.Shadow), role: backends.RoleShadow})
	r.mu.Unlock()

	o.inst.comparisons.Add(ctx, 1, comparison)
	if e.PrimaryDuration > 0 {
		o.inst.duration.Record(ctx, e.PrimaryDuration.Seconds(), primary)
	}
	if e.ShadowDuration > 0 {
		o.inst.duration.Record(ctx, e.ShadowDuration.Seconds(), shadow)
	}
	if run != nil && run.ended.CompareAndSwap(false, true) {
		o.endSpan(run.span, e)
	}
}
