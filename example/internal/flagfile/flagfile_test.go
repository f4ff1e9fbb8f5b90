package flagfile_test

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
	"go.uber.org/goleak"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/example/internal/catalog"
	"github.com/shadowread/shadowread/example/internal/dualwrite"
	"github.com/shadowread/shadowread/example/internal/flagfile"
	"github.com/shadowread/shadowread/flags"
)

func TestMain(m *testing.M) {
	// flagd v0.6.0 leaves its event loop running after shutdown.
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/open-feature/go-sdk-contrib/providers/flagd/pkg.(*Provider).handleEvents"))
}

const customers = 2000

// pickedUp reports whether any of the first 200 customers is on DynamoDB on
// route: cheap enough to poll.
func pickedUp(f *flags.Flags, route string) bool {
	for i := range 200 {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set(catalog.HeaderCustomerID, strconv.Itoa(i+1))
		if f.Decide(r, route).Primary == backends.DynamoDB {
			return true
		}
	}
	return false
}

// decider serves the file at path through the flagd provider in file mode,
// as the service does.
func decider(t *testing.T, path string) *flags.Flags {
	t.Helper()
	// Each decision must be the customer's own: on a busy machine under the
	// race detector an evaluation can outlast the default timeout.
	f := flags.New(client(t, path), flags.WithExactEvaluation(),
		flags.WithTargetingKey(flags.HeaderKey(catalog.HeaderCustomerID)),
		flags.WithEvaluationTimeout(time.Minute))
	t.Cleanup(f.Close)
	return f
}

// client is an OpenFeature client on the flagd provider of the file at path.
func client(t *testing.T, path string) *openfeature.Client {
	t.Helper()
	provider, err := flagd.NewProvider(flagd.WithFileResolver(), flagd.WithOfflineFilePath(path), flagd.WithLogger(logr.Discard()))
	if err != nil {
		t.Fatal(err)
	}
	api := isolated.NewAPI()
	t.Cleanup(func() {
		if err := api.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
	})
	domain := openfeature.WithDomain("flagfile-test")
	if err := api.SetProviderAndWait(context.Background(), provider, domain); err != nil {
		t.Fatal(err)
	}
	return api.NewClient(domain)
}

// shares returns the percentages of customers sampled and served by
// DynamoDB on route.
func shares(f *flags.Flags, route string) (sampled, dynamo float64) {
	var s, d int
	for i := range customers {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set(catalog.HeaderCustomerID, strconv.Itoa(i+1))
		dec := f.Decide(r, route)
		if dec.Sampled {
			s++
		}
		if dec.Primary == backends.DynamoDB {
			d++
		}
	}
	return 100 * float64(s) / customers, 100 * float64(d) / customers
}

func writeDefault(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "flags.json")
	if err := os.WriteFile(path, flagfile.Default, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestShippedFile reads the shipped flag file through flagd: the sample
// percentage of each route, PostgreSQL as the primary everywhere.
func TestShippedFile(t *testing.T) {
	f := decider(t, writeDefault(t))
	tests := []struct {
		route       string
		wantSampled float64
		reason      string
	}{
		{catalog.RouteProduct, 25, "the product route is the busiest: a quarter of customers"},
		{catalog.RouteCustomerOrders, 50, "half of the customers"},
		{catalog.RouteOrder, 50, "half of the customers"},
		{catalog.RoutePrice, 0, "writes are never enabled"},
	}
	for _, tt := range tests {
		t.Run(tt.route, func(t *testing.T) {
			sampled, dynamo := shares(f, tt.route)
			if sampled < tt.wantSampled-3 || sampled > tt.wantSampled+3 {
				t.Errorf("%.1f%% sampled, want %v±3 (%s)", sampled, tt.wantSampled, tt.reason)
			}
			if dynamo != 0 {
				t.Errorf("%.1f%% on DynamoDB, want 0: PostgreSQL stays primary", dynamo)
			}
		})
	}
}

// TestSplitPrimaryLive replaces the file while the provider runs: the
// rename is picked up, a tenth of customers move to DynamoDB on the routes
// named, the same customers on each, and the other route stays.
func TestSplitPrimaryLive(t *testing.T) {
	path := writeDefault(t)
	f := decider(t, path)
	edited, err := flagfile.SplitPrimary(flagfile.Default, 10, catalog.RouteProduct, catalog.RouteOrder)
	if err != nil {
		t.Fatal(err)
	}
	if err := flagfile.Write(path, edited); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if pickedUp(f, catalog.RouteProduct) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the replaced flag file was not picked up within 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	tests := []struct {
		route      string
		wantDynamo float64
		reason     string
	}{
		{catalog.RouteProduct, 10, "switched"},
		{catalog.RouteOrder, 10, "switched"},
		{catalog.RouteCustomerOrders, 0, "not named: stays on PostgreSQL"},
	}
	for _, tt := range tests {
		t.Run(tt.route, func(t *testing.T) {
			if _, dynamo := shares(f, tt.route); dynamo < tt.wantDynamo-2 || dynamo > tt.wantDynamo+2 {
				t.Errorf("%.1f%% on DynamoDB, want %v±2 (%s)", dynamo, tt.wantDynamo, tt.reason)
			}
		})
	}
	// flagd's fractional hashes the flag key and the customer, not the
	// route: a customer moved on one route is moved on the other.
	for i := range customers {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set(catalog.HeaderCustomerID, strconv.Itoa(i+1))
		if a, b := f.Decide(r, catalog.RouteProduct).Primary, f.Decide(r, catalog.RouteOrder).Primary; a != b {
			t.Fatalf("customer %d: %s on the product route, %s on the order route", i+1, a, b)
		}
	}
}

func TestSplitPrimaryRejects(t *testing.T) {
	tests := []struct {
		name    string
		data    []byte
		percent int
		routes  []string
	}{
		{"percent above 100", flagfile.Default, 101, []string{catalog.RouteProduct}},
		{"no route", flagfile.Default, 10, nil},
		{"no primary flag", []byte(`{"flags":{}}`), 10, []string{catalog.RouteProduct}},
		{"not JSON", []byte(`flags`), 10, []string{catalog.RouteProduct}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := flagfile.SplitPrimary(tt.data, tt.percent, tt.routes...); err == nil {
				t.Error("no error")
			}
		})
	}
}

// TestWriteModeLive moves the write-mode flag through the migration while
// the provider runs: each edit of the file is the mode of the next writes.
func TestWriteModeLive(t *testing.T) {
	path := writeDefault(t)
	modes := dualwrite.NewFlagWriteModes(client(t, path), dualwrite.WritePostgres)
	ctx := context.Background()
	if got := modes.WriteMode(ctx); got != dualwrite.WriteBoth {
		t.Fatalf("the shipped file: write mode %q, want %q (the dual write)", got, dualwrite.WriteBoth)
	}
	for _, mode := range []dualwrite.WriteMode{dualwrite.WriteDynamoDBFirst, dualwrite.WriteDynamoDB, dualwrite.WriteBoth, dualwrite.WritePostgres} {
		edited, err := flagfile.SetWriteMode(flagfile.Default, mode)
		if err != nil {
			t.Fatal(err)
		}
		if err := flagfile.Write(path, edited); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for modes.WriteMode(ctx) != mode {
			if time.Now().After(deadline) {
				t.Fatalf("write mode %q was not picked up within 10s", mode)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// TestWriteModeFallback: a file without the flag, or with a value that is
// no write mode, leaves the last good mode (first the fallback).
func TestWriteModeFallback(t *testing.T) {
	tests := []struct {
		name   string
		file   string
		want   dualwrite.WriteMode
		reason string
	}{
		{"no flag", `{"flags":{}}`, dualwrite.WriteDynamoDBFirst, "the fallback stands before a first good value"},
		{"unknown mode", `{"flags":{"shadowread.write-mode":{"state":"ENABLED","variants":{"x":"sideways"},"defaultVariant":"x"}}}`,
			dualwrite.WriteDynamoDBFirst, "a value that is no mode is ignored"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "flags.json")
			if err := os.WriteFile(path, []byte(tt.file), 0o600); err != nil {
				t.Fatal(err)
			}
			modes := dualwrite.NewFlagWriteModes(client(t, path), dualwrite.WriteDynamoDBFirst)
			if got := modes.WriteMode(context.Background()); got != tt.want {
				t.Errorf("write mode %q, want %q (%s)", got, tt.want, tt.reason)
			}
		})
	}
}

func TestSetWriteModeRejectsUnknown(t *testing.T) {
	if _, err := flagfile.SetWriteMode(flagfile.Default, "sideways"); err == nil {
		t.Error("no error for an unknown write mode")
	}
}
