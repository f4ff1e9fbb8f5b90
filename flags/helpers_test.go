package flags

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/open-feature/go-sdk/openfeature"
	"github.com/open-feature/go-sdk/openfeature/isolated"
	"github.com/open-feature/go-sdk/openfeature/memprovider"
)

// Each test gets its own OpenFeature API instance (package isolated), so no
// test touches the global provider registry and each test's Shutdown stops
// the SDK goroutines it started.

// newAPI returns an isolated OpenFeature API that is shut down after the test.
func newAPI(t testing.TB) *openfeature.EvaluationAPI {
	t.Helper()
	api := isolated.NewAPI()
	t.Cleanup(func() {
		if err := api.Shutdown(context.Background()); err != nil {
			t.Errorf("shutting down the OpenFeature API: %v", err)
		}
	})
	return api
}

// clientFor registers provider under a domain of a fresh API, waits for it
// to be ready and returns a client of that domain.
func clientFor(t testing.TB, provider openfeature.FeatureProvider) *openfeature.Client {
	t.Helper()
	api := newAPI(t)
	domain := openfeature.WithDomain("shadowread-test")
	if err := api.SetProviderAndWait(context.Background(), provider, domain); err != nil {
		t.Fatalf("setting the provider: %v", err)
	}
	return api.NewClient(domain)
}

// memClient returns a client backed by an in-memory provider serving flags.
func memClient(t testing.TB, flags map[string]memprovider.InMemoryFlag) (*openfeature.Client, *memprovider.InMemoryProvider) {
	t.Helper()
	provider := memprovider.NewInMemoryProvider(flags)
	return clientFor(t, provider), provider
}

// static is a flag that always has value.
func static(value any) memprovider.InMemoryFlag {
	return memprovider.InMemoryFlag{
		State:          memprovider.Enabled,
		DefaultVariant: "value",
		Variants:       map[string]any{"value": value},
	}
}

// dynamic is a flag whose value eval computes from the flattened context.
func dynamic(eval func(openfeature.FlattenedContext) any) memprovider.InMemoryFlag {
	fn := func(_ memprovider.InMemoryFlag, flat openfeature.FlattenedContext) (any, openfeature.ProviderResolutionDetail) {
		return eval(flat), openfeature.ProviderResolutionDetail{Reason: openfeature.TargetingMatchReason}
	}
	return memprovider.InMemoryFlag{State: memprovider.Enabled, ContextEvaluator: &fn}
}

// shadowFlags is the usual flag set: shadowing on at percent with primary.
func shadowFlags(enabled bool, percent float64, primary string) map[string]memprovider.InMemoryFlag {
	return map[string]memprovider.InMemoryFlag{
		KeyEnabled:       static(enabled),
		KeySamplePercent: static(percent),
		KeyPrimary:       static(primary),
	}
}

// errorLog collects the problems Flags reports.
type errorLog struct {
	mu   sync.Mutex
	errs []error
}

func (l *errorLog) handle(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errs = append(l.errs, err)
}

// keys returns the flag keys of the reported FlagErrors, sorted, and fails
// the test on any other error.
func (l *errorLog) keys(t testing.TB) []string {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var keys []string
	for _, err := range l.errs {
		var fe *FlagError
		if !errors.As(err, &fe) {
			t.Errorf("reported error %v is not a *FlagError", err)
			continue
		}
		keys = append(keys, fe.Key)
	}
	slices.Sort(keys)
	return keys
}

func (l *errorLog) all() []error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.errs)
}

func (l *errorLog) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.errs)
}

// fakeTimer stands in for the refresh timer; the test fires it.
type fakeTimer struct {
	mu      sync.Mutex
	d       time.Duration
	fire    func()
	resets  int
	stopped bool
}

func (ft *fakeTimer) afterFunc(d time.Duration, f func()) timer {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	ft.d, ft.fire = d, f
	return ft
}

func (ft *fakeTimer) Reset(d time.Duration) bool {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	ft.d = d
	ft.resets++
	return true
}

func (ft *fakeTimer) Stop() bool {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	ft.stopped = true
	return true
}

// tick fires the timer as time.AfterFunc would when the interval has passed.
func (ft *fakeTimer) tick() {
	ft.mu.Lock()
	fire := ft.fire
	ft.mu.Unlock()
	fire()
}

// newTestFlags is New with the error log and fake timer wired in. Outside a
// synctest bubble a busy machine may stall the evaluation goroutine for
// milliseconds, so the evaluation timeout is a minute unless opts set it:
// tests of the timeout run in a bubble, where time is exact.
func newTestFlags(t testing.TB, client *openfeature.Client, opts ...Option) (*Flags, *errorLog, *fakeTimer) {
	t.Helper()
	log, ft := &errorLog{}, &fakeTimer{}
	f := New(client, append([]Option{withErrorHandler(log.handle), withAfterFunc(ft.afterFunc), WithEvaluationTimeout(time.Minute)}, opts...)...)
	t.Cleanup(f.Close)
	return f, log, ft
}

func userID(i int) string { return fmt.Sprintf("user-%d", i) }

func request(method, userID string) *http.Request {
	r := httptest.NewRequest(method, "/products/42", nil)
	if userID != "" {
		r.Header.Set("X-User-Id", userID)
	}
	return r
}

// eventually polls cond until it holds or ten seconds have passed; it is for
// effects that arrive through the SDK's asynchronous event delivery.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("still not true after 10s: %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
