package cutover

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// TestDecisionsAreObservable: a rollback is a warning log line, a span
// event and gauges of the route's share, step and gate result.
func TestDecisionsAreObservable(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	var logs bytes.Buffer
	clk, file, ev := newClock(), flagFile(t), newFakeEvidence(route)
	c := newTestController(t, []string{route}, ev, file, SoleController(), clk,
		WithMeterProvider(mp), WithTracerProvider(tp), WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	promoteTo(t, c, clk, 5)
	ev.set(route, func(e *RouteEvidence) { e.DynamoDB.P99 = time.Second })
	tick(t, c)

	if !strings.Contains(logs.String(), `level=WARN msg="cutover: rollback" route=/products/{id} share=1`) {
		t.Errorf("log has no rollback warning:\n%s", logs.String())
	}
	var events []string
	for _, s := range spans.Ended() {
		for _, e := range s.Events() {
			events = append(events, e.Name)
		}
	}
	want := []string{"shadowread.cutover.resume", "shadowread.cutover.step", "shadowread.cutover.promote", "shadowread.cutover.rollback"}
	for _, w := range want {
		if !strings.Contains(strings.Join(events, " "), w) {
			t.Errorf("span events %v lack %s", events, w)
		}
	}

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Gauge[float64]:
				got[m.Name] = d.DataPoints[0].Value
			case metricdata.Gauge[int64]:
				got[m.Name] = float64(d.DataPoints[0].Value)
			}
		}
	}
	wantGauges := map[string]float64{"shadowread.cutover.share": 1, "shadowread.cutover.step": 0, "shadowread.cutover.gate": -1}
	for name, w := range wantGauges {
		if v, ok := got[name]; !ok || v != w {
			t.Errorf("gauge %s = %v (present %v), want %v", name, v, ok, w)
		}
	}
	_ = mp.Shutdown(context.Background())
	_ = tp.Shutdown(context.Background())
}
