package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-logr/logr"
	flagd "github.com/open-feature/go-sdk-contrib/providers/flagd/pkg"
	"github.com/open-feature/go-sdk/openfeature"
	"github.com/open-feature/go-sdk/openfeature/isolated"
	"github.com/open-feature/go-sdk/openfeature/memprovider"

	"github.com/shadowread/shadowread/flags"
)

// Each benchmark gets its own OpenFeature API (package isolated), so no
// benchmark touches the global provider registry and each API's Shutdown
// stops the SDK goroutines it started.

// provider names the flag providers the benchmarks compare.
type provider string

const (
	memProvider   provider = "memprovider"
	flagdProvider provider = "flagd"
)

// newFlags returns flags.New over a provider serving shadowing enabled at
// percent with PostgreSQL as primary, closed when b ends.
func newFlags(tb testing.TB, p provider, percent float64, opts ...flags.Option) *flags.Flags {
	tb.Helper()
	var fp openfeature.FeatureProvider
	switch p {
	case memProvider:
		fp = memprovider.NewInMemoryProvider(map[string]memprovider.InMemoryFlag{
			flags.KeyEnabled:       static(true),
			flags.KeySamplePercent: static(percent),
			flags.KeyPrimary:       static("postgres"),
		})
	case flagdProvider:
		fp = flagdFile(tb, percent)
	default:
		tb.Fatalf("unknown provider %q", p)
	}
	api := isolated.NewAPI()
	tb.Cleanup(func() {
		if err := api.Shutdown(context.Background()); err != nil {
			tb.Errorf("shutting down the OpenFeature API: %v", err)
		}
	})
	domain := openfeature.WithDomain("bench")
	if err := api.SetProviderAndWait(context.Background(), fp, domain); err != nil {
		tb.Fatalf("setting the %s provider: %v", p, err)
	}
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

// flagdFile returns flagd's in-process provider reading a flag file with
// the same three flags as the in-memory provider.
func flagdFile(tb testing.TB, percent float64) openfeature.FeatureProvider {
	tb.Helper()
	config := fmt.Sprintf(`{
  "flags": {
    "shadowread.enabled": {"state": "ENABLED", "variants": {"on": true}, "defaultVariant": "on"},
    "shadowread.sample-percent": {"state": "ENABLED", "variants": {"share": %v}, "defaultVariant": "share"},
    "shadowread.primary": {"state": "ENABLED", "variants": {"postgres": "postgres"}, "defaultVariant": "postgres"}
  }
}`, percent)
	path := filepath.Join(tb.TempDir(), "flags.json")
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		tb.Fatal(err)
	}
	p, err := flagd.NewProvider(flagd.WithFileResolver(), flagd.WithOfflineFilePath(path), flagd.WithLogger(logr.Discard()))
	if err != nil {
		tb.Fatalf("creating the flagd provider: %v", err)
	}
	return p
}
