package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelruntime "go.opentelemetry.io/contrib/instrumentation/runtime"
	"go.opentelemetry.io/otel"
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
	// The Go runtime's own gauges (go.goroutine.count, go.memory.used, ...)
	// beside the service's: what grows during an outage shows here first.
	if err := otelruntime.Start(otelruntime.WithMeterProvider(meter)); err != nil {
		otel.Handle(err)
	}

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
		tracer: sdktrace.NewTracerProvider(opts...),
		meter:  meter,
		metrics: promhttp.HandlerFor(registry, promhttp.HandlerOpts{
			// OpenMetrics carries exemplars: the trace id of a recent
			// sampled event per series, a link from a metric to a trace.
			EnableOpenMetrics: true,
			// A scraper that times out and retries must not pile up
			// collections: beyond two at once, answer 503.
			MaxRequestsInFlight: 2,
		}),
	}, nil
}

// OTLPEndpoint returns the collector that the service sends spans to over
// OTLP/HTTP, from the standard environment (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
// else OTEL_EXPORTER_OTLP_ENDPOINT), or "" when spans go to
// [Config.TraceOutput] instead.
func OTLPEndpoint() string {
	if ep := os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"); ep != "" {
		return ep
	}
	return os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT")
}

// TraceDestination says where the service's spans go and which traces are
// kept, for a banner: the OTLP endpoint when one is set, else output (the
// name of [Config.TraceOutput]); the sampler of OTEL_TRACES_SAMPLER when set,
// else the share ratio ([Config.TraceRatio]).
func TraceDestination(output string, ratio float64) string {
	sampler := fmt.Sprintf("%g%% of traces", 100*ratio)
	if name := os.Getenv("OTEL_TRACES_SAMPLER"); name != "" {
		sampler = strings.TrimSpace("sampler " + name + " " + os.Getenv("OTEL_TRACES_SAMPLER_ARG"))
	}
	if ep := OTLPEndpoint(); ep != "" {
		return "OTLP/HTTP to " + ep + ", " + sampler
	}
	if output == "" {
		return "nowhere (no OTLP endpoint, no trace output)"
	}
	return output + ", " + sampler
}

// newSpanExporter returns the OTLP exporter when the standard environment
// names a collector, else a JSON writer to out, else nil.
func newSpanExporter(ctx context.Context, out io.Writer) (sdktrace.SpanExporter, error) {
	if OTLPEndpoint() != "" {
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
