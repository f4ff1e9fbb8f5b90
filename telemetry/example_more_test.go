package telemetry_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/telemetry"
	"github.com/shadowread/shadowread/telemetry/report"
)

var quiet = telemetry.WithLogger(slog.New(slog.DiscardHandler))

func ExampleWithTraceURL() {
	tp := sdktrace.NewTracerProvider() // samples every trace
	defer func() { _ = tp.Shutdown(context.Background()) }()
	rec := telemetry.New(tp, nil, quiet, telemetry.WithTraceURL("http://localhost:16686/trace/{trace_id}"))

	e := telemetry.Event{
		Route: "/orders/{id}", Primary: backends.Postgres, Shadow: backends.DynamoDB, Outcome: telemetry.Mismatch,
		Result: comparator.Result{Diffs: []comparator.Diff{{Path: "total", Kind: comparator.ValueChanged}}},
	}
	rec.Record(rec.StartShadow(context.Background(), e), e)

	res := httptest.NewRecorder()
	rec.ReportHandler().ServeHTTP(res, httptest.NewRequest("GET", "/debug/shadowread", nil))
	link := regexp.MustCompile(`href="(http://localhost:16686/trace/)[0-9a-f]{32}"`).FindStringSubmatch(res.Body.String())
	fmt.Println(link[1] + "<trace id>")
	// Output: http://localhost:16686/trace/<trace id>
}

func ExampleWithRoutes() {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer func() { _ = mp.Shutdown(context.Background()) }()
	telemetry.New(nil, mp, quiet, telemetry.WithRoutes("/products/{id}"))

	// Before any request, every outcome series exists at 0 in both directions.
	var rm metricdata.ResourceMetrics
	_ = reader.Collect(context.Background(), &rm)
	for _, m := range rm.ScopeMetrics[0].Metrics {
		if sum, ok := m.Data.(metricdata.Sum[int64]); ok {
			fmt.Printf("%s: %d series\n", m.Name, len(sum.DataPoints))
		}
	}
	// Output:
	// shadowread.comparisons: 46 series
	// shadowread.mismatches: 10 series
	// shadowread.rechecks: 12 series
}

func ExampleOTel_Mark() {
	rec := telemetry.New(nil, nil, quiet, telemetry.WithMinSamples(100))
	record := func(o telemetry.Outcome, n int) {
		for range n {
			rec.Record(context.Background(), telemetry.Event{
				Route: "/orders/{id}", Primary: backends.Postgres, Shadow: backends.DynamoDB, Outcome: o,
			})
		}
	}
	record(telemetry.Mismatch, 30)
	rec.Mark() // the fix is deployed
	record(telemetry.Match, 4000)

	r := rec.Readiness()[0]
	fmt.Printf("since start: %d samples, %d failures, ready=%v\n", r.Samples, r.Mismatches, r.Ready)
	fmt.Printf("since mark:  %d samples, %d failures, ready=%v\n", r.SinceMark.Samples, r.SinceMark.Mismatches, r.SinceMark.Ready)
	// Output:
	// since start: 4030 samples, 30 failures, ready=false
	// since mark:  4000 samples, 0 failures, ready=true
}

func ExampleOTel_MarkHandler() {
	rec := telemetry.New(nil, nil, quiet)
	mux := http.NewServeMux()
	mux.Handle("GET /debug/shadowread", rec.ReportHandler())
	mux.Handle("POST /debug/shadowread/mark", rec.MarkHandler())

	for range 2 { // a retry keeps the first mark
		res := httptest.NewRecorder()
		mux.ServeHTTP(res, httptest.NewRequest("POST", "/debug/shadowread/mark", nil))
		var m report.MarkResponse
		_ = json.Unmarshal(res.Body.Bytes(), &m)
		fmt.Println(res.Code, "new:", m.New, "recent:", time.Since(m.Mark) < time.Minute)
	}
	// Output:
	// 200 new: true recent: true
	// 200 new: false recent: true
}

func ExampleMulti() {
	// A recorder of the user's own, beside the OpenTelemetry one.
	var mismatches int
	counter := recorderFunc(func(e telemetry.Event) {
		if e.Outcome == telemetry.Mismatch {
			mismatches++
		}
	})
	otelRec := telemetry.New(nil, nil, quiet)
	rec := telemetry.Multi(otelRec, counter)

	e := telemetry.Event{Route: "/orders/{id}", Primary: backends.Postgres, Shadow: backends.DynamoDB, Outcome: telemetry.Mismatch}
	rec.Record(rec.StartShadow(context.Background(), e), e)
	fmt.Println("own count:", mismatches, "otel:", otelRec.Readiness()[0].Mismatches)
	// Output: own count: 1 otel: 1
}

// recorderFunc is a Recorder that only records.
type recorderFunc func(telemetry.Event)

func (f recorderFunc) StartShadow(ctx context.Context, _ telemetry.Event) context.Context { return ctx }
func (f recorderFunc) Record(_ context.Context, e telemetry.Event)                        { f(e) }

func ExampleWithEntityKeysShown() {
	tp := sdktrace.NewTracerProvider()
	defer func() { _ = tp.Shutdown(context.Background()) }()
	for _, opts := range [][]telemetry.Option{{quiet}, {quiet, telemetry.WithEntityKeysShown()}} {
		rec := telemetry.New(tp, nil, opts...)
		e := telemetry.Event{Route: "/products/{id}", EntityKey: "product-4711", Outcome: telemetry.Match}
		ctx := rec.StartShadow(context.Background(), e)
		rec.Record(ctx, e)
		span := trace.SpanFromContext(ctx).(sdktrace.ReadOnlySpan)
		for _, kv := range span.Attributes() {
			if kv.Key == "shadowread.entity.key" {
				fmt.Println(kv.Value.AsString())
			}
		}
	}
	// Output:
	// #5bd498e7
	// product-4711
}

func ExampleWithReadinessWindow() {
	rec := telemetry.New(nil, nil, quiet, telemetry.WithReadinessWindow(30*time.Minute))
	e := telemetry.Event{Route: "/orders/{id}", Primary: backends.Postgres, Shadow: backends.DynamoDB, Outcome: telemetry.Match}
	rec.Record(context.Background(), e)

	r := rec.Readiness()[0]
	fmt.Printf("window %v: %d samples since %v before the report\n",
		rec.Report().Window, r.Window.Samples, time.Since(r.Window.Since).Round(time.Minute))
	// Output: window 30m0s: 1 samples since 30m0s before the report
}

func ExampleWithMinCoverage() {
	rec := telemetry.New(nil, nil, quiet, telemetry.WithMinCoverage(telemetry.DefaultMinCoverage))
	record := func(o telemetry.Outcome, reason telemetry.Reason, n int) {
		for range n {
			rec.Record(context.Background(), telemetry.Event{
				Route: "/orders/{id}", Primary: backends.Postgres, Shadow: backends.DynamoDB, Outcome: o, Reason: reason,
			})
		}
	}
	record(telemetry.Match, "", 2000)
	r := rec.Readiness()[0]
	fmt.Printf("%d clean samples: %d more needed, coverage %.2f, ready=%v\n", r.Samples, r.CleanSamplesNeeded, r.Coverage, r.Ready)

	record(telemetry.Match, "", 1000)
	record(telemetry.Skipped, telemetry.ReasonBodyTooLarge, 300) // the large orders are never compared
	r = rec.Readiness()[0]
	fmt.Printf("%d clean samples: %d more needed, coverage %.2f, ready=%v\n", r.Samples, r.CleanSamplesNeeded, r.Coverage, r.Ready)
	for _, nc := range r.NotCompared {
		fmt.Printf("not compared: %d %s (%s)\n", nc.Count, nc.Outcome, nc.Reason)
	}
	// Output:
	// 2000 clean samples: 995 more needed, coverage 1.00, ready=false
	// 3000 clean samples: 0 more needed, coverage 0.91, ready=false
	// not compared: 300 skipped (body_too_large)
}

// The report asks its problem sources each time it is built; middleware.New
// adds its Shadower's Problem, so the page shows why nothing is shadowed.
func ExampleOTel_AddProblemSource() {
	rec := telemetry.New(nil, nil)
	rec.AddProblemSource(func() error { return errors.New("middleware: no flags: pass middleware.WithFlags(...)") })
	fmt.Println(rec.Report().Problems)
	// Output: [middleware: no flags: pass middleware.WithFlags(...)]
}
