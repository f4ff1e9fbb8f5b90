package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/open-feature/go-sdk/openfeature"
	"github.com/open-feature/go-sdk/openfeature/isolated"
	"github.com/open-feature/go-sdk/openfeature/memprovider"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/bench/internal/shop"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/flags"
	"github.com/shadowread/shadowread/middleware"
	"github.com/shadowread/shadowread/telemetry"
	"github.com/shadowread/shadowread/telemetry/report"
)

// Modes of serve: what wraps the shop's read routes.
const (
	modeNone       = "none"
	modeShadow     = "shadow"
	modeExperiment = "experiment"
	modeDynamoDB   = "dynamodb"
)

// variant is the read middleware of one mode, with what the debug
// endpoints report and how to stop it.
type variant struct {
	// middleware wraps the read routes; nil for none.
	middleware func(http.Handler) http.Handler
	// outcomes counts compared requests by outcome.
	outcomes func() map[string]uint64
	// close stops background work; it is called after the server has
	// stopped taking requests.
	close func(context.Context) error
}

func newVariant(ctx context.Context, mode string, samplePercent, guard float64) (variant, error) {
	none := variant{
		outcomes: func() map[string]uint64 { return map[string]uint64{} },
		close:    func(context.Context) error { return nil },
	}
	if mode != modeShadow && samplePercent != 0 {
		return variant{}, usageError{fmt.Sprintf("-sample is for -mode %s only", modeShadow)}
	}
	if mode != modeShadow && guard != 0 {
		return variant{}, usageError{fmt.Sprintf("-guard is for -mode %s only", modeShadow)}
	}
	if guard != 0 && guard <= 1 {
		return variant{}, usageError{fmt.Sprintf("-guard %v: want a tolerance above 1, such as 1.2", guard)}
	}
	switch mode {
	case modeNone:
		return none, nil
	case modeDynamoDB:
		none.middleware = readFromDynamoDB
		return none, nil
	case modeExperiment:
		e := newExperiment(newComparator())
		none.middleware, none.outcomes = e.Handler, e.outcomes
		return none, nil
	case modeShadow:
		if samplePercent < 0 || samplePercent > 100 {
			return variant{}, usageError{fmt.Sprintf("-sample %v: want a percentage from 0 to 100", samplePercent)}
		}
		return newShadowVariant(ctx, samplePercent, guard)
	}
	return variant{}, usageError{fmt.Sprintf("unknown -mode %q: want none, shadow, experiment or dynamodb", mode)}
}

// newComparator compares the two stores' JSON with the PostgreSQL→DynamoDB
// preset: amounts by value (8.70 and 8.7), lists by id, the rest exactly.
func newComparator() comparator.Comparator {
	return comparator.JSON(comparator.PostgresDynamoDB())
}

// newShadowVariant builds the Shadower as a service using the library
// would: flags from OpenFeature, sticky per customer, the JSON comparator
// and the OTel recorder with a real metrics SDK.
func newShadowVariant(ctx context.Context, samplePercent, guard float64) (variant, error) {
	// An API of the variant's own rather than the global one, so tests can
	// run several services in one process.
	api := isolated.NewAPI()
	domain := openfeature.WithDomain("shop")
	provider := memprovider.NewInMemoryProvider(map[string]memprovider.InMemoryFlag{
		flags.KeyEnabled:       staticFlag(true),
		flags.KeySamplePercent: staticFlag(samplePercent),
		flags.KeyPrimary:       staticFlag(string(backends.Postgres)),
	})
	if err := api.SetProviderAndWait(ctx, provider, domain); err != nil {
		return variant{}, fmt.Errorf("setting the flag provider: %w", err)
	}
	decider := flags.New(api.NewClient(domain), flags.WithTargetingKey(flags.HeaderKey(shop.HeaderCustomerID)))

	// Metrics are recorded as in production; nothing reads them here.
	meters := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	recorder := telemetry.New(nil, meters)
	opts := []middleware.Option{
		middleware.WithFlags(decider),
		middleware.WithComparator(newComparator()),
		middleware.WithRecorder(recorder),
	}
	if guard != 0 {
		opts = append(opts, middleware.WithLatencyGuard(guard, time.Second))
	}
	shadow := middleware.New(opts...)
	return variant{
		middleware: shadow.Handler,
		outcomes: func() map[string]uint64 {
			out := reportOutcomes(recorder.Report())
			if guard != 0 {
				out[guardShareKey] = guardSharePercent(shadow, recorder.Report())
			}
			return out
		},
		close: func(ctx context.Context) error {
			err := shadow.Close(ctx)
			decider.Close()
			return errors.Join(err, api.Shutdown(ctx), meters.Shutdown(ctx))
		},
	}, nil
}

func staticFlag(value any) memprovider.InMemoryFlag {
	return memprovider.InMemoryFlag{State: memprovider.Enabled, DefaultVariant: "on", Variants: map[string]any{"on": value}}
}

// guardShareKey names, among the outcome counts, the share of sampled
// requests the latency guard lets through, in percent: the lowest of the
// routes at the time of the report.
const guardShareKey = "guard_share_percent"

func guardSharePercent(s *middleware.Shadower, r report.Report) uint64 {
	share := 1.0
	for _, route := range r.Routes {
		share = min(share, s.LatencyGuardShare(route.Route))
	}
	return uint64(share*100 + 0.5)
}

// reportOutcomes sums the outcome counts of every route.
func reportOutcomes(r report.Report) map[string]uint64 {
	out := make(map[string]uint64)
	for _, route := range r.Routes {
		for _, c := range route.Outcomes {
			if c.Count > 0 {
				out[string(c.Outcome)] += c.Count
			}
		}
	}
	return out
}

// readFromDynamoDB routes every read to DynamoDB: the service as a second
// deployment on the new store, which nginx mirrors requests to.
func readFromDynamoDB(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(backends.WithTarget(r.Context(), backends.DynamoDB)))
	})
}
