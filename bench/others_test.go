package bench

import (
	"io"
	"log"
	"net/http"

	"github.com/go-chi/chi/v5/middleware"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
)

// The middleware users already put in front of their handlers without
// thinking about the cost, measured beside shadowread in the same runs.

// otelHTTP wraps h as otelhttp does, with no-op providers: the cost of the
// instrumentation itself, not of an exporter.
func otelHTTP(h http.Handler) http.Handler {
	return otelhttp.NewHandler(h, route,
		otelhttp.WithTracerProvider(tracenoop.NewTracerProvider()),
		otelhttp.WithMeterProvider(metricnoop.NewMeterProvider()))
}

// chiLogger wraps h with chi's Logger, writing its lines to io.Discard
// instead of the standard error: the cost of formatting them.
func chiLogger(h http.Handler) http.Handler {
	return middleware.RequestLogger(&middleware.DefaultLogFormatter{
		Logger:  log.New(io.Discard, "", log.LstdFlags),
		NoColor: true,
	})(h)
}
