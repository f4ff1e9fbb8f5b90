package bench

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/middleware"
	"github.com/shadowread/shadowread/telemetry"
)

// realShadower returns a Shadower that shadows every request as a service
// would: the shadow handler serves the DynamoDB spelling of the primary's
// body (equivalentBody), which the PostgreSQL→DynamoDB preset compares
// field by field, and the outcome goes to the OpenTelemetry recorder over
// the SDK's meter provider (with a manual reader) and a no-op tracer, as
// well as to rec.
func realShadower(tb testing.TB, rec *outcomeCounter) *middleware.Shadower {
	shadowBody := equivalentBody(jsonBody(kb))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	tb.Cleanup(func() {
		if err := mp.Shutdown(context.Background()); err != nil {
			tb.Errorf("shutting down the meter provider: %v", err)
		}
	})
	return newShadower(tb, rec,
		middleware.WithFlags(newFlags(tb, 100)),
		middleware.WithShadowHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write(shadowBody)
		})),
		middleware.WithComparator(comparator.JSON(comparator.PostgresDynamoDB())),
		middleware.WithRecorder(telemetry.Multi(telemetry.New(tracenoop.NewTracerProvider(), mp), rec)),
	)
}

// equivalentBody returns jsonBody's page as DynamoDB would serve it: other
// number spellings and millisecond timestamps, equal under the preset but
// not byte for byte, so the comparison decodes both bodies.
func equivalentBody(primary []byte) []byte {
	b := bytes.ReplaceAll(primary, []byte(`"price":49.9,`), []byte(`"price":49.90,`))
	return bytes.ReplaceAll(b, []byte(`10:00:00Z"`), []byte(`10:00:00.000Z"`))
}
