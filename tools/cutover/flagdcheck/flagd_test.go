package flagdcheck

import (
	"context"
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

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/cutover"
	"github.com/shadowread/shadowread/flags"
)

const base = `{
  "flags": {
    "shadowread.enabled": {"state": "ENABLED", "variants": {"on": true}, "defaultVariant": "on"},
    "shadowread.sample-percent": {"state": "ENABLED", "variants": {"some": 10}, "defaultVariant": "some"},
    "shadowread.primary": {"state": "ENABLED", "variants": {"postgres": "postgres"}, "defaultVariant": "postgres"}
  }
}`

// TestFlagFileOverFlagd: the shares the writer sets reach flags.Flags in
// cached mode through flagd's file sync, per route, and the other flags
// stay as they were.
func TestFlagFileOverFlagd(t *testing.T) {
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
	domain := openfeature.WithDomain("flagdcheck")
	if err := api.SetProviderAndWait(context.Background(), provider, domain); err != nil {
		t.Fatal(err)
	}
	decider := flags.New(api.NewClient(domain), flags.WithTargetingKey(flags.HeaderKey("X-User-Id")))
	t.Cleanup(decider.Close)

	// share returns the percentage of 2,000 users on DynamoDB on route, and
	// whether a tenth of them are sampled as the untouched flag says.
	share := func(route string) (float64, bool) {
		moved, sampled := 0, 0
		for i := range 2000 {
			r := httptest.NewRequest("GET", "/x", nil)
			r.Header.Set("X-User-Id", "user-"+strconv.Itoa(i))
			d := decider.Decide(r, route)
			if d.Primary == backends.DynamoDB {
				moved++
			}
			if d.Sampled {
				sampled++
			}
		}
		return 100 * float64(moved) / 2000, sampled > 120 && sampled < 280
	}
	eventually := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("after 10 s still not: %s", what)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}

	file := cutover.NewFlagFile(path)
	ctx := context.Background()
	if err := file.SetShares(ctx, map[string]float64{"/orders": 100, "/products/{id}": 25}); err != nil {
		t.Fatal(err)
	}
	eventually("/orders at 100% and /products/{id} near 25%", func() bool {
		orders, _ := share("/orders")
		products, sampled := share("/products/{id}")
		return orders == 100 && products > 21 && products < 29 && sampled
	})
	if other, _ := share("/carts"); other != 0 {
		t.Errorf("%v%% of a route without a rule moved, want 0", other)
	}

	if err := file.SetShares(ctx, map[string]float64{"/orders": 0}); err != nil {
		t.Fatal(err)
	}
	eventually("/orders back at 0% with /products/{id} kept", func() bool {
		orders, _ := share("/orders")
		products, _ := share("/products/{id}")
		return orders == 0 && products > 21 && products < 29
	})
}
