package catalog_test

import (
	"context"
	"log/slog"
	"net/http"
	"testing"

	"github.com/open-feature/go-sdk/openfeature"
	"github.com/open-feature/go-sdk/openfeature/isolated"
	"github.com/open-feature/go-sdk/openfeature/memprovider"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/example/internal/catalog"
	"github.com/shadowread/shadowread/example/internal/catalogtest"
	"github.com/shadowread/shadowread/flags"
	"github.com/shadowread/shadowread/internal/testenv"
	"github.com/shadowread/shadowread/middleware"
	"github.com/shadowread/shadowread/telemetry"
)

// TestShadowedReads mounts the middleware on the read routes with every
// request sampled: the stores agree on clean data, and the product view is
// counted once per user request, never for the shadow run.
func TestShadowedReads(t *testing.T) {
	e := catalogtest.NewEnv(t, testenv.DynamoDBEndpoint(t))
	e.SeedSmall(t)
	e.Backfill(t)

	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	rec := telemetry.New(noop.NewTracerProvider(), mp, telemetry.WithLogger(slog.New(slog.DiscardHandler)))
	shadow := middleware.New(
		middleware.WithFlags(flags.New(allSampled(t))),
		// The order list's request_id is new on every read; the service
		// learns it with the noise baseline, which needs more reads than
		// this test makes.
		middleware.WithComparator(comparator.JSON(comparator.PostgresDynamoDB(), comparator.IgnorePaths("request_id"))),
		middleware.WithRecorder(rec),
	)
	srv := catalogtest.Serve(t, catalog.NewRouter(e.Stores, shadow.Handler, catalog.WithMeterProvider(mp)))

	paths := []string{"/products/1", "/products/2", "/products/3", "/products/404",
		"/orders/10", "/customers/1/orders?limit=2", "/customers/1/orders"}
	for _, p := range paths {
		if status := catalogtest.Request(t, http.MethodGet, srv.URL+p, "", nil); status != http.StatusOK && status != http.StatusNotFound {
			t.Fatalf("GET %s: %d", p, status)
		}
	}
	if err := shadow.Close(context.Background()); err != nil {
		t.Fatal(err)
	}

	var samples, matches uint64
	for _, r := range rec.Report().Routes {
		samples += r.Samples
		for _, oc := range r.Outcomes {
			if oc.Outcome == telemetry.Match {
				matches += oc.Count
			}
		}
	}
	if samples != uint64(len(paths)) || matches != samples {
		t.Errorf("%d samples, %d matches; want %d, all matching: clean data has no differences", samples, matches, len(paths))
	}
	if got := catalogtest.SumCounter(t, reader, "catalog.product.views"); got != 3 {
		t.Errorf("catalog.product.views = %d, want 3: one per product found, none for the shadow runs", got)
	}
}

// allSampled is an OpenFeature client that shadows every request with
// PostgreSQL as primary, on an isolated API shut down with the test.
func allSampled(t *testing.T) *openfeature.Client {
	t.Helper()
	value := func(v any) memprovider.InMemoryFlag {
		return memprovider.InMemoryFlag{State: memprovider.Enabled, DefaultVariant: "v", Variants: map[string]any{"v": v}}
	}
	api := isolated.NewAPI()
	t.Cleanup(func() {
		if err := api.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
	})
	domain := openfeature.WithDomain("catalog-test")
	provider := memprovider.NewInMemoryProvider(map[string]memprovider.InMemoryFlag{
		flags.KeyEnabled: value(true), flags.KeySamplePercent: value(100.0), flags.KeyPrimary: value("postgres"),
	})
	if err := api.SetProviderAndWait(context.Background(), provider, domain); err != nil {
		t.Fatal(err)
	}
	return api.NewClient(domain)
}
