package app

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// serviceName is the service.name resource attribute.
const serviceName = "catalog"

// observability holds the service's OpenTelemetry providers and the
// Prometheus handler that exposes the meter provider's metrics.
type observability struct {
	tracer  *sdktrace.TracerProvider
	meter   *sdkmetric.MeterProvider
	metrics http.Handler
}

func newObservability(ctx context.Context, traceOut io.Writer, traceRatio float64) (*observability, error) {
	res := resource.NewSchemaless(attribute.String("service.name", serviceName))

	// A registry of the service's own, so nothing else registered in the
	// process (or a second instance in a test) collides with it.
	registry := prometheus.NewRegistry()
	exporter, err := otelprom.New(otelprom.WithRegisterer(registry))
	if err != nil {
		return nil, err
	}
	meter := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter), sdkmetric.WithResource(res))

	opts := []sdktrace.TracerProviderOption{sdktrace.WithResource(res)}
	if os.Getenv("OTEL_TRACES_SAMPLER") == "" {
		opts = append(opts, sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(traceRatio))))
	}
	spans, err := newSpanExporter(ctx, traceOut)
	if err != nil {
		return nil, errors.Join(err, meter.Shutdown(ctx))
	}
	if spans != nil {
		opts = append(opts, sdktrace.WithBatcher(spans))
	}
	return &observability{
		tracer:  sdktrace.NewTracerProvider(opts...),
		meter:   meter,
		metrics: promhttp.HandlerFor(registry, promhttp.HandlerOpts{}),
	}, nil
}

// newSpanExporter returns the OTLP exporter when the standard environment
// names a collector, else a JSON writer to out, else nil.
func newSpanExporter(ctx context.Context, out io.Writer) (sdktrace.SpanExporter, error) {
	if os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != "" {
		return otlptracehttp.New(ctx) // reads the endpoint, headers and protocol options from the environment
	}
	if out != nil {
		return stdouttrace.New(stdouttrace.WithWriter(out))
	}
	return nil, nil
}

// shutdown flushes and stops both providers.
func (o *observability) shutdown(ctx context.Context) error {
	return errors.Join(o.tracer.Shutdown(ctx), o.meter.Shutdown(ctx))
}
