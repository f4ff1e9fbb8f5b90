package cutover

import (
	"context"
	"log/slog"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/trace"
)

// ScopeName is the instrumentation scope of the controller's spans and
// gauges.
const ScopeName = "github.com/shadowread/shadowread/cutover"

// observer makes each decision a log line, a span event and three gauges
// per route.
type observer struct {
	logger *slog.Logger
	tracer trace.Tracer
	share  metric.Float64Gauge
	step   metric.Int64Gauge
	gate   metric.Int64Gauge
}

func newObserver(cfg config) observer {
	m := cfg.mp.Meter(ScopeName)
	o := observer{logger: cfg.logger, tracer: cfg.tp.Tracer(ScopeName)}
	var err error
	if o.share, err = m.Float64Gauge("shadowread.cutover.share", metric.WithUnit("%"),
		metric.WithDescription("Share of the route's users whose primary is DynamoDB.")); err != nil || o.share == nil {
		otel.Handle(err)
		o.share = noop.Float64Gauge{}
	}
	if o.step, err = m.Int64Gauge("shadowread.cutover.step", metric.WithUnit("{step}"),
		metric.WithDescription("Index of the route's step in the plan; -1 at 0%.")); err != nil || o.step == nil {
		otel.Handle(err)
		o.step = noop.Int64Gauge{}
	}
	if o.gate, err = m.Int64Gauge("shadowread.cutover.gate", metric.WithUnit("{result}"),
		metric.WithDescription("The route's last gate result: 1 pass, 0 wait, -1 fail.")); err != nil || o.gate == nil {
		otel.Handle(err)
		o.gate = noop.Int64Gauge{}
	}
	return o
}

// decided reports st, the decision just taken for a route.
func (o observer) decided(ctx context.Context, st RouteStatus) {
	level := slog.LevelInfo
	if st.Action == ActionRollback {
		level = slog.LevelWarn
	}
	o.logger.Log(ctx, level, "cutover: "+string(st.Action), "route", st.Route, "share", st.Share,
		"step", st.Step, "good", st.Good, "failures", st.Failures, "why", st.Why)

	attrs := []attribute.KeyValue{
		attribute.String("route", st.Route),
		attribute.String("shadowread.cutover.action", string(st.Action)),
		attribute.Float64("shadowread.cutover.share", st.Share),
		attribute.Int("shadowread.cutover.step", st.Step),
		attribute.String("shadowread.cutover.why", st.Why),
	}
	_, span := o.tracer.Start(ctx, "shadowread.cutover.decision", trace.WithAttributes(attribute.String("route", st.Route)))
	span.AddEvent("shadowread.cutover."+string(st.Action), trace.WithAttributes(attrs...))
	span.End()

	route := metric.WithAttributeSet(attribute.NewSet(attribute.String("route", st.Route)))
	o.share.Record(ctx, st.Share, route)
	o.step.Record(ctx, int64(st.Step), route)
	o.gate.Record(ctx, gateValue(st.Results), route)
}

// gateValue is the worst verdict of results as a gauge value.
func gateValue(results []Result) int64 {
	v := int64(1)
	for _, r := range results {
		switch r.Verdict {
		case Fail:
			return -1
		case Wait:
			v = 0
		}
	}
	return v
}
