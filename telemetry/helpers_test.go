package telemetry_test

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/telemetry"
)

// harness is a recorder wired to in-memory OTel SDK providers.
type harness struct {
	rec    *telemetry.OTel
	reader *sdkmetric.ManualReader
	spans  *tracetest.SpanRecorder
	tp     *sdktrace.TracerProvider
}

func newHarness(t *testing.T, opts ...telemetry.Option) *harness {
	t.Helper()
	h := &harness{reader: sdkmetric.NewManualReader(), spans: tracetest.NewSpanRecorder()}
	h.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(h.spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(h.reader))
	t.Cleanup(func() {
		ctx := context.Background()
		if err := h.tp.Shutdown(ctx); err != nil {
			t.Errorf("tracer provider shutdown: %v", err)
		}
		if err := mp.Shutdown(ctx); err != nil {
			t.Errorf("meter provider shutdown: %v", err)
		}
	})
	h.rec = telemetry.New(h.tp, mp, opts...)
	return h
}

// requestSpan starts and ends a span standing for the user's request.
func (h *harness) requestSpan() trace.SpanContext {
	_, span := h.tp.Tracer("test").Start(context.Background(), "GET /products/{id}")
	span.End()
	return span.SpanContext()
}

// shadow runs one shadowed request through the recorder the way the
// middleware does: StartShadow, then Record with the same context.
func (h *harness) shadow(e telemetry.Event) {
	ctx := h.rec.StartShadow(context.Background(), e)
	h.rec.Record(ctx, e)
}

// metrics collects the recorder's metrics by name.
func (h *harness) metrics(t *testing.T) map[string]metricdata.Metrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := h.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatalf("collect metrics: %v", err)
	}
	out := make(map[string]metricdata.Metrics)
	for _, sm := range rm.ScopeMetrics {
		if sm.Scope.Name != telemetry.ScopeName {
			t.Errorf("scope name = %q, want %q", sm.Scope.Name, telemetry.ScopeName)
		}
		for _, m := range sm.Metrics {
			out[m.Name] = m
		}
	}
	return out
}

// sumPoint returns the int64 sum data point of m whose attributes are exactly attrs.
func sumPoint(t *testing.T, m metricdata.Metrics, attrs ...attribute.KeyValue) (int64, bool) {
	t.Helper()
	sum, ok := m.Data.(metricdata.Sum[int64])
	if !ok {
		t.Fatalf("%s: data is %T, want metricdata.Sum[int64]", m.Name, m.Data)
	}
	want := attribute.NewSet(attrs...)
	for _, dp := range sum.DataPoints {
		if dp.Attributes.Equals(&want) {
			return dp.Value, true
		}
	}
	return 0, false
}

// histPoint returns the histogram data point of m whose attributes are exactly attrs.
func histPoint(t *testing.T, m metricdata.Metrics, attrs ...attribute.KeyValue) (metricdata.HistogramDataPoint[float64], bool) {
	t.Helper()
	hist, ok := m.Data.(metricdata.Histogram[float64])
	if !ok {
		t.Fatalf("%s: data is %T, want metricdata.Histogram[float64]", m.Name, m.Data)
	}
	want := attribute.NewSet(attrs...)
	for _, dp := range hist.DataPoints {
		if dp.Attributes.Equals(&want) {
			return dp, true
		}
	}
	return metricdata.HistogramDataPoint[float64]{}, false
}

// event returns a sampled request on route with the given outcome, read from
// PostgreSQL and shadowed to DynamoDB.
func event(route string, o telemetry.Outcome) telemetry.Event {
	return telemetry.Event{
		Route:           route,
		Method:          "GET",
		Primary:         backends.Postgres,
		Shadow:          backends.DynamoDB,
		Outcome:         o,
		PrimaryDuration: 3 * time.Millisecond,
		ShadowDuration:  5 * time.Millisecond,
	}
}

// mismatch returns a mismatch event on route with the given differences.
func mismatch(route string, diffs ...comparator.Diff) telemetry.Event {
	e := event(route, telemetry.Mismatch)
	e.Result = comparator.Result{Diffs: diffs}
	e.CompareDuration = 40 * time.Microsecond
	return e
}

func attrs(kv []attribute.KeyValue) map[attribute.Key]attribute.Value {
	m := make(map[attribute.Key]attribute.Value, len(kv))
	for _, a := range kv {
		m[a.Key] = a.Value
	}
	return m
}

// endedSpan returns the ended span with the given context.
func endedSpan(t *testing.T, h *harness, sc trace.SpanContext) sdktrace.ReadOnlySpan {
	t.Helper()
	for _, s := range h.spans.Ended() {
		if s.SpanContext().Equal(sc) {
			return s
		}
	}
	t.Fatalf("span %v did not end", sc)
	return nil
}
