package bench

import (
	"context"
	"testing"
	"time"

	"github.com/open-feature/go-sdk/openfeature"
	"github.com/open-feature/go-sdk/openfeature/isolated"
	"github.com/open-feature/go-sdk/openfeature/memprovider"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/flags"
)

// Each benchmark gets its own OpenFeature API (package isolated), so no
// benchmark touches the global provider registry and each API's Shutdown
// stops the SDK goroutines it started.
//
// The flags come from OpenFeature's in-memory provider: the cached decision
// does not depend on the provider. The same benchmarks over flagd's file
// provider live in the example module (example/internal/flagscheck), the one module
// of the repository that depends on flagd.

// newFlags returns flags.New over an in-memory provider serving shadowing
// enabled at percent with PostgreSQL as primary, closed when tb ends.
func newFlags(tb testing.TB, percent float64, opts ...flags.Option) *flags.Flags {
	tb.Helper()
	return newFlagsWithPrimary(tb, percent, backends.Postgres, opts...)
}

// newFlagsWithPrimary is newFlags with primary serving users.
func newFlagsWithPrimary(tb testing.TB, percent float64, primary backends.Name, opts ...flags.Option) *flags.Flags {
	tb.Helper()
	fp := memprovider.NewInMemoryProvider(map[string]memprovider.InMemoryFlag{
		flags.KeyEnabled:       static(true),
		flags.KeySamplePercent: static(percent),
		flags.KeyPrimary:       static(string(primary)),
	})
	api := isolated.NewAPI()
	tb.Cleanup(func() {
		if err := api.Shutdown(context.Background()); err != nil {
			tb.Errorf("shutting down the OpenFeature API: %v", err)
		}
	})
	domain := openfeature.WithDomain("bench")
	if err := api.SetProviderAndWait(context.Background(), fp, domain); err != nil {
		tb.Fatalf("setting the in-memory provider: %v", err)
	}
	// A first decision waits for the provider up to a second, not the
	// default 5 ms that a loaded machine can miss: the safe decision (no
	// shadow, PostgreSQL) would change what the first requests measure.
	// Later decisions are cached; opts may set another timeout.
	opts = append([]flags.Option{flags.WithEvaluationTimeout(time.Second)}, opts...)
	f := flags.New(api.NewClient(domain), opts...)
	tb.Cleanup(f.Close)
	return f
}

func static(value any) memprovider.InMemoryFlag {
	return memprovider.InMemoryFlag{
		State:          memprovider.Enabled,
		DefaultVariant: "value",
		Variants:       map[string]any{"value": value},
	}
}
