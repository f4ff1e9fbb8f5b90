package telemetry_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
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
	return newSampledHarness(t, sdktrace.AlwaysSample(), opts...)
}

// newSampledHarness is newHarness with the tracer provider's sampler.
func newSampledHarness(t *testing.T, sampler sdktrace.Sampler, opts ...telemetry.Option) *harness {
	t.Helper()
	h := &harness{reader: sdkmetric.NewManualReader(), spans: tracetest.NewSpanRecorder()}
	h.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(h.spans), sdktrace.WithSampler(sampler))
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
	// Mismatch lines are tested on their own; elsewhere they would be noise.
	quiet := telemetry.WithLogger(slog.New(slog.DiscardHandler))
	h.rec = telemetry.New(h.tp, mp, append([]telemetry.Option{quiet}, opts...)...)
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

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// logBuffer collects JSON log lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// lines decodes the logged lines.
func (b *logBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.Lines(b.String()) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

func (b *logBuffer) logger() *slog.Logger { return slog.New(slog.NewJSONHandler(b, nil)) }

// at returns the attributes of route in the postgres→dynamodb direction,
// followed by kv.
func at(route string, kv ...attribute.KeyValue) []attribute.KeyValue {
	return append([]attribute.KeyValue{
		attribute.String("route", route),
		attribute.String("primary", string(backends.Postgres)),
		attribute.String("shadow", string(backends.DynamoDB)),
	}, kv...)
}
