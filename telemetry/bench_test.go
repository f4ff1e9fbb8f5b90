package telemetry_test

import (
	"context"
	"log/slog"
	"testing"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/telemetry"
)

// BenchmarkRecord measures one sampled request's telemetry, StartShadow plus
// Record, against the Nop recorder as the baseline, with real SDK providers
// (spans sampled but not exported).
func BenchmarkRecord(b *testing.B) {
	tp := sdktrace.NewTracerProvider()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	b.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	otelRec := telemetry.New(tp, mp, telemetry.WithLogger(slog.New(slog.DiscardHandler)))
	match := event("/products/{id}", telemetry.Match)
	diff := mismatch("/products/{id}",
		comparator.Diff{Path: "price", Kind: comparator.ValueChanged},
		comparator.Diff{Path: "tags[3]", Kind: comparator.MissingInShadow})
	dropped := event("/products/{id}", telemetry.Dropped)

	cases := []struct {
		name  string
		rec   telemetry.Recorder
		e     telemetry.Event
		start bool
	}{
		{"nop", telemetry.Nop{}, match, true},
		{"match", otelRec, match, true},
		{"mismatch", otelRec, diff, true},
		{"dropped", otelRec, dropped, false},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ctx := context.Background()
				if c.start {
					ctx = c.rec.StartShadow(ctx, c.e)
				}
				c.rec.Record(ctx, c.e)
			}
		})
	}
	b.Run("match/parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				otelRec.Record(otelRec.StartShadow(context.Background(), match), match)
			}
		})
	})
}
