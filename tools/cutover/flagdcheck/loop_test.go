package flagdcheck

import (
	"context"
	"io"
	"log/slog"
	"math"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/go-logr/logr"
	flagd "github.com/open-feature/go-sdk-contrib/providers/flagd/pkg"
	"github.com/open-feature/go-sdk/openfeature"
	"github.com/open-feature/go-sdk/openfeature/isolated"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/cutover"
	"github.com/shadowread/shadowread/flags"
	"github.com/shadowread/shadowread/telemetry"
)

const (
	orders   = "/orders"
	products = "/products/{id}"
	users    = 1000
)

// TestControllerLoopOverFlagd closes the loop with real parts: the
// controller reads one process's telemetry (cutover.Local), writes flagd's
// flag file, and flags.Flags in cached mode moves the users it names. Each
// round, every user reads both routes once and the telemetry records what a
// sampled request would: a match, or, once /products/{id} has a quarter of
// its users on DynamoDB, a mismatch for 30% of its DynamoDB-primary reads
// (an injected regression). /orders ends at 100%; /products/{id} is rolled
// back on its own.
func TestControllerLoopOverFlagd(t *testing.T) {
	path := filepath.Join(t.TempDir(), "flags.json")
	if err := os.WriteFile(path, []byte(base), 0o600); err != nil {
		t.Fatal(err)
	}
	provider, err := flagd.NewProvider(flagd.WithFileResolver(), flagd.WithOfflineFilePath(path), flagd.WithLogger(logr.Discard()))
	if err != nil {
		t.Fatal(err)
	}
	api := isolated.NewAPI()
	t.Cleanup(func() { _ = api.Shutdown(context.Background()) })
	domain := openfeature.WithDomain("loop")
	if err := api.SetProviderAndWait(context.Background(), provider, domain); err != nil {
		t.Fatal(err)
	}
	decider := flags.New(api.NewClient(domain), flags.WithTargetingKey(flags.HeaderKey("X-User-Id")))
	t.Cleanup(decider.Close)

	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	otel := telemetry.New(tracenoop.NewTracerProvider(), metricnoop.NewMeterProvider(),
		telemetry.WithMinSamples(500), telemetry.WithReadyThreshold(0.01), telemetry.WithLogger(quiet))
	local := cutover.NewLocal(otel)
	rec := telemetry.Multi(otel, local)
	c := cutover.New([]string{orders, products}, local, cutover.NewFlagFile(path), cutover.SoleController(),
		cutover.WithHold(0), cutover.WithLogger(quiet),
		cutover.WithStepGates(cutover.ReverseUnder(0.05), cutover.LatencyWithin(2, 20), cutover.ErrorsWithin(0.01, 20)))

	ctx := context.Background()
	regressed := false
	mismatches := 0
	serve := func() {
		for i := range users {
			r := httptest.NewRequest("GET", "/x", nil)
			r.Header.Set("X-User-Id", "user-"+strconv.Itoa(i))
			for _, route := range []string{orders, products} {
				d := decider.Decide(r, route)
				e := telemetry.Event{Route: route, Method: "GET", Primary: d.Primary, Shadow: d.Primary.Other(),
					Outcome: telemetry.Match, Start: time.Now(), PrimaryDuration: 2 * time.Millisecond, PrimaryStatus: 200}
				if regressed && route == products && d.Primary == backends.DynamoDB {
					if mismatches++; mismatches%10 < 3 {
						e.Outcome = telemetry.Mismatch
					}
				}
				rec.Record(rec.StartShadow(ctx, e), e)
			}
		}
	}
	status := func(route string) cutover.RouteStatus {
		for _, st := range c.Status() {
			if st.Route == route {
				return st
			}
		}
		return cutover.RouteStatus{}
	}
	// seen waits until the decider moves about the share the controller set.
	seen := func(route string, share float64) {
		deadline := time.Now().Add(10 * time.Second)
		for {
			moved := 0
			for i := range users {
				r := httptest.NewRequest("GET", "/x", nil)
				r.Header.Set("X-User-Id", "user-"+strconv.Itoa(i))
				if decider.Decide(r, route).Primary == backends.DynamoDB {
					moved++
				}
			}
			if math.Abs(100*float64(moved)/users-share) <= 4 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: %d of %d users on DynamoDB 10 s after the controller set %v%%", route, moved, users, share)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}

	peak := 0.0
	for round := 0; round < 80; round++ {
		serve()
		if err := c.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		for _, route := range []string{orders, products} {
			seen(route, status(route).Share)
		}
		p := status(products)
		peak = max(peak, p.Share)
		regressed = regressed || p.Share >= 25
		if status(orders).Complete && p.Failures > 0 {
			break
		}
	}

	if st := status(orders); !st.Complete || st.Share != 100 {
		t.Errorf("orders: %+v, want complete at 100%%", st)
	}
	p := status(products)
	if p.Failures == 0 || p.Share >= peak {
		t.Errorf("products: %+v after a peak of %v%%, want rolled back on the injected mismatches", p, peak)
	}
	t.Logf("products rolled back from %v%% to %v%%: %s", peak, p.Share, p.Why)
}
