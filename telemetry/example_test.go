package telemetry_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/telemetry"
	"github.com/shadowread/shadowread/telemetry/report"
)

func ExampleNew() {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	tp := sdktrace.NewTracerProvider()
	defer func() { _ = mp.Shutdown(context.Background()); _ = tp.Shutdown(context.Background()) }()
	rec := telemetry.New(tp, mp)

	// What the middleware does for one sampled request.
	e := telemetry.Event{
		Route: "/products/{id}", Method: "GET",
		Primary: backends.Postgres, Shadow: backends.DynamoDB,
		PrimaryDuration: 2 * time.Millisecond,
	}
	ctx := rec.StartShadow(context.Background(), e)
	// ... the shadow handler runs with ctx, the comparator compares ...
	e.Outcome, e.ShadowDuration = telemetry.Match, 3*time.Millisecond
	rec.Record(ctx, e)

	var rm metricdata.ResourceMetrics
	_ = reader.Collect(context.Background(), &rm)
	for _, m := range rm.ScopeMetrics[0].Metrics {
		sum, ok := m.Data.(metricdata.Sum[int64])
		if !ok || m.Name != "shadowread.comparisons" {
			continue
		}
		// Every outcome series of the route exists, at 0 until it happens.
		for _, dp := range sum.DataPoints {
			if dp.Value == 0 {
				continue
			}
			route, _ := dp.Attributes.Value("route")
			primary, _ := dp.Attributes.Value("primary")
			shadow, _ := dp.Attributes.Value("shadow")
			outcome, _ := dp.Attributes.Value("outcome")
			fmt.Printf("%s %s route=%s primary=%s shadow=%s outcome=%s: %d (of %d series)\n", m.Name, m.Unit,
				route.AsString(), primary.AsString(), shadow.AsString(), outcome.AsString(), dp.Value, len(sum.DataPoints))
		}
	}
	// Output: shadowread.comparisons {comparison} route=/products/{id} primary=postgres shadow=dynamodb outcome=match: 1 (of 23 series)
}

func ExampleOTel_Readiness() {
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	defer func() { _ = mp.Shutdown(context.Background()) }()
	rec := telemetry.New(nil, mp,
		telemetry.WithReadyThreshold(0.005),
		telemetry.WithMinSamples(1000),
		telemetry.WithLogger(slog.New(slog.DiscardHandler)))

	record := func(route string, o telemetry.Outcome, n int) {
		for range n {
			e := telemetry.Event{Route: route, Primary: backends.Postgres, Shadow: backends.DynamoDB, Outcome: o}
			if o == telemetry.Mismatch {
				e.Result = comparator.Result{Diffs: []comparator.Diff{{Path: "price", Kind: comparator.ValueChanged}}}
			}
			rec.Record(context.Background(), e)
		}
	}
	record("/orders/{id}", telemetry.Match, 1995)
	record("/orders/{id}", telemetry.Mismatch, 5)
	record("/products/{id}", telemetry.Match, 2000)
	record("/users/{id}", telemetry.Match, 400)

	for _, r := range rec.Readiness() {
		fmt.Printf("%-15s samples=%d failures=%d bound=%.4f ready=%v\n",
			r.Route, r.Samples, r.Mismatches+r.Errors, r.UpperBound, r.Ready)
	}
	// Output:
	// /orders/{id}    samples=2000 failures=5 bound=0.0052 ready=false
	// /products/{id}  samples=2000 failures=0 bound=0.0015 ready=true
	// /users/{id}     samples=400 failures=0 bound=0.0075 ready=false
}

func ExampleOTel_ReportHandler() {
	rec := telemetry.New(nil, nil, telemetry.WithLogger(slog.New(slog.DiscardHandler)))
	rec.Record(context.Background(), telemetry.Event{
		Route: "/orders/{id}", Primary: backends.Postgres, Shadow: backends.DynamoDB, Outcome: telemetry.Mismatch,
		Result: comparator.Result{Diffs: []comparator.Diff{{Path: "total", Kind: comparator.ValueChanged}}},
	})

	mux := http.NewServeMux()
	mux.Handle("GET /debug/shadowread", rec.ReportHandler())

	res := httptest.NewRecorder()
	mux.ServeHTTP(res, httptest.NewRequest("GET", "/debug/shadowread?format=json", nil))
	var rep report.Report
	if err := json.Unmarshal(res.Body.Bytes(), &rep); err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range rep.Routes {
		fmt.Printf("%s %s→%s mismatches=%d\n", r.Route, r.Primary, r.Shadow, r.Mismatches)
		for _, s := range r.Signatures {
			fmt.Printf("  signature x%d fields=%v triage=%q\n", s.Count, s.Fields, s.Triage)
		}
	}
	// Output:
	// /orders/{id} postgres→dynamodb mismatches=1
	//   signature x1 fields=[total] triage=""
}
