package flagscheck

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	flagd "github.com/open-feature/go-sdk-contrib/providers/flagd/pkg"
	"github.com/open-feature/go-sdk/openfeature"
	"github.com/open-feature/go-sdk/openfeature/isolated"
	"github.com/open-feature/go-sdk/openfeature/memprovider"
	"go.opentelemetry.io/otel"

	"github.com/shadowread/shadowread/flags"
)

// Each test gets its own OpenFeature API instance (package isolated), so no
// test touches the global provider registry and each API's Shutdown stops
// the SDK goroutines it started.

// clientFor registers provider under a domain of a fresh API, waits for it
// to be ready and returns a client of that domain.
func clientFor(tb testing.TB, provider openfeature.FeatureProvider) *openfeature.Client {
	tb.Helper()
	api := isolated.NewAPI()
	tb.Cleanup(func() {
		if err := api.Shutdown(context.Background()); err != nil {
			tb.Errorf("shutting down the OpenFeature API: %v", err)
		}
	})
	domain := openfeature.WithDomain("flagscheck")
	if err := api.SetProviderAndWait(context.Background(), provider, domain); err != nil {
		tb.Fatalf("setting the provider: %v", err)
	}
	return api.NewClient(domain)
}

// flagdClient serves the flag definitions in config (flagd's JSON format)
// through the flagd provider in in-process file mode. It returns the file,
// which the test may rewrite.
func flagdClient(tb testing.TB, config string) (*openfeature.Client, string) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "flags.json")
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		tb.Fatal(err)
	}
	provider, err := flagd.NewProvider(flagd.WithFileResolver(), flagd.WithOfflineFilePath(path), flagd.WithLogger(logr.Discard()))
	if err != nil {
		tb.Fatalf("creating the flagd provider: %v", err)
	}
	return clientFor(tb, provider), path
}

// memClient serves the three flags of flags.New, with shadowing on at
// percent and PostgreSQL as primary, from OpenFeature's in-memory provider.
func memClient(tb testing.TB, percent float64) *openfeature.Client {
	tb.Helper()
	static := func(value any) memprovider.InMemoryFlag {
		return memprovider.InMemoryFlag{
			State:          memprovider.Enabled,
			DefaultVariant: "value",
			Variants:       map[string]any{"value": value},
		}
	}
	return clientFor(tb, memprovider.NewInMemoryProvider(map[string]memprovider.InMemoryFlag{
		flags.KeyEnabled:       static(true),
		flags.KeySamplePercent: static(percent),
		flags.KeyPrimary:       static("postgres"),
	}))
}

// newFlags is flags.New closed when tb ends. Each decision must be the
// request's own: on a busy machine under the race detector an evaluation
// can outlast the default timeout, and the route's last decision would
// stand in for it.
func newFlags(tb testing.TB, client *openfeature.Client, opts ...flags.Option) *flags.Flags {
	tb.Helper()
	f := flags.New(client, append([]flags.Option{flags.WithEvaluationTimeout(time.Minute)}, opts...)...)
	tb.Cleanup(f.Close)
	return f
}

// errorLog collects the problems Flags reports. Flags hands them to
// otel.Handle, so the log replaces OTel's global error handler for the
// test; tests that use it must not run in parallel.
type errorLog struct {
	mu   sync.Mutex
	errs []error
}

func captureErrors(tb testing.TB) *errorLog {
	tb.Helper()
	log := &errorLog{}
	previous := otel.GetErrorHandler()
	otel.SetErrorHandler(otel.ErrorHandlerFunc(log.handle))
	tb.Cleanup(func() { otel.SetErrorHandler(previous) })
	return log
}

func (l *errorLog) handle(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errs = append(l.errs, err)
}

func (l *errorLog) all() []error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.errs)
}

func userID(i int) string { return fmt.Sprintf("user-%d", i) }

func request(userID string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/products/42", nil)
	r.Header.Set("X-User-Id", userID)
	return r
}

// eventually polls cond until it holds or ten seconds have passed; it is for
// effects that arrive through flagd's file watch and the SDK's asynchronous
// event delivery, which no fake clock reaches.
func eventually(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("still not true after 10s: %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
