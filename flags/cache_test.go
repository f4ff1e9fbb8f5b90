package flags

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/open-feature/go-sdk/openfeature"
	"github.com/open-feature/go-sdk/openfeature/memprovider"

	"github.com/shadowread/shadowread/backends"
)

// switchable returns flags whose enabled value the test flips behind the
// provider's back: no event is sent, like a provider without eventing.
// evaluations counts the reads of the enabled flag.
func switchable() (flags map[string]memprovider.InMemoryFlag, enabled *atomic.Bool, evaluations *atomic.Int64) {
	enabled, evaluations = &atomic.Bool{}, &atomic.Int64{}
	flags = shadowFlags(false, 100, "postgres")
	flags[KeyEnabled] = dynamic(func(openfeature.FlattenedContext) any {
		evaluations.Add(1)
		return enabled.Load()
	})
	return flags, enabled, evaluations
}

func TestCachedUntilRefreshTick(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		flags, enabled, evaluations := switchable()
		client, _ := memClient(t, flags)
		f, _, ft := newTestFlags(t, client, WithRefreshInterval(5*time.Second))
		if ft.d != 5*time.Second {
			t.Fatalf("refresh timer armed for %v, want the configured 5s", ft.d)
		}
		sampled := func() bool { return f.Decide(request("GET", ""), "/products/{id}").Sampled }

		if sampled() {
			t.Fatal("sampled while disabled")
		}
		enabled.Store(true)
		for range 100 {
			if sampled() {
				t.Fatal("a flag change without event or tick was seen: the value is not cached")
			}
		}
		synctest.Wait()
		if n := evaluations.Load(); n != 1 {
			t.Errorf("enabled flag evaluated %d times for 101 requests of one route, want 1", n)
		}

		ft.tick()
		if sampled() {
			t.Error("the request after the tick got the new value: it waited for the refresh instead of keeping the cached value")
		}
		synctest.Wait() // the refresh ends in the background
		if !sampled() {
			t.Error("the refresh tick did not make the new value visible")
		}
		if n := evaluations.Load(); n != 2 {
			t.Errorf("enabled flag evaluated %d times after one tick, want 2", n)
		}
		if ft.resets != 1 || ft.d != 5*time.Second {
			t.Errorf("after the tick the timer was re-armed %d times for %v, want once for 5s", ft.resets, ft.d)
		}
	})
}

func TestRefreshOnProviderEvent(t *testing.T) {
	client, provider := memClient(t, shadowFlags(false, 100, "postgres"))
	f, _, _ := newTestFlags(t, client)
	if got := f.Decide(request("GET", ""), "/products/{id}"); got != Safe() {
		t.Fatalf("Decide = %+v, want Safe() while disabled", got)
	}

	// UpdateFlags sends PROVIDER_CONFIGURATION_CHANGED; no tick is fired.
	provider.UpdateFlags(shadowFlags(true, 100, "dynamodb"))
	want := Decision{Primary: backends.DynamoDB, Sampled: true}
	eventually(t, "the configuration change is seen", func() bool {
		return f.Decide(request("GET", ""), "/products/{id}") == want
	})
}

// TestRefreshInBackground: after a tick, requests keep the cached values at
// once while one evaluation re-reads the flags in the background, however
// slow the provider; the requests after it get the new values.
func TestRefreshInBackground(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		provider := newScriptedProvider(shadowValues(false, 100, "postgres"))
		f, _, ft := newTestFlags(t, clientFor(t, provider), WithEvaluationTimeout(DefaultEvaluationTimeout))
		decide := func() Decision { return f.Decide(request("GET", ""), "/products/{id}") }
		if got := decide(); got != Safe() {
			t.Fatalf("Decide = %+v, want Safe() while disabled", got)
		}

		provider.update(func(p *scriptedProvider) {
			p.values = shadowValues(true, 100, "dynamodb")
			p.delay = 300 * time.Millisecond
		})
		ft.tick()
		start := time.Now()
		for range 50 {
			if got := decide(); got != Safe() {
				t.Fatalf("during the refresh Decide = %+v, want the cached Safe()", got)
			}
		}
		if waited := time.Since(start); waited != 0 {
			t.Errorf("50 requests during a refresh waited %v, want 0: a refresh never makes a request wait", waited)
		}
		synctest.Wait() // the refresh is inside the provider now
		if n := provider.callsOf(KeyPrimary); n != 2 {
			t.Errorf("primary flag read %d times, want 2: the first fill and one refresh for all 50 requests", n)
		}

		time.Sleep(2 * time.Second) // four flags at 300 ms each
		synctest.Wait()
		want := Decision{Primary: backends.DynamoDB, Sampled: true}
		if got := decide(); got != want {
			t.Errorf("after the refresh Decide = %+v, want %+v", got, want)
		}
	})
}

func TestRouteCap(t *testing.T) {
	var mu sync.Mutex
	var evaluated []string
	flags := shadowFlags(true, 100, "postgres")
	flags[KeyEnabled] = dynamic(func(flat openfeature.FlattenedContext) any {
		mu.Lock()
		defer mu.Unlock()
		evaluated = append(evaluated, fmt.Sprint(flat[AttrRoute], " ", flat[AttrMethod]))
		return flat[AttrRoute] == backends.OverflowRoute // the overflow is targetable on its own
	})
	client, _ := memClient(t, flags)
	f, log, _ := newTestFlags(t, client, WithMaxRoutes(3))

	for i := range 10 {
		route := fmt.Sprintf("/raw/path/%d", i)
		got := f.Decide(request("GET", ""), route).Sampled
		if want := i >= 3; got != want {
			t.Errorf("%s: Sampled = %v, want %v (the first 3 pairs have their own entries, the rest share %q)",
				route, got, want, backends.OverflowRoute)
		}
	}
	if n := f.routes.Load().pairs; n != 3 {
		t.Errorf("cache holds %d entries, want the cap, 3", n)
	}
	want := []string{"/raw/path/0 GET", "/raw/path/1 GET", "/raw/path/2 GET", backends.OverflowRoute + " " + backends.OverflowRoute}
	if !slices.Equal(evaluated, want) {
		t.Errorf("evaluated %q, want %q: one evaluation per entry", evaluated, want)
	}
	if errs := log.all(); len(errs) != 1 {
		t.Errorf("reported %v, want one report of the overflow", errs)
	}
}

func TestReporterOncePerRefresh(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				client, _ := memClient(t, shadowFlags(true, 150, "postgres"))
				f, log, ft := newTestFlags(t, client, mode.opts...)
				for range 3 {
					for _, route := range []string{"/a", "/a", "/b"} {
						f.Decide(request("GET", ""), route)
					}
				}
				synctest.Wait()
				if n := log.count(); n != 1 {
					t.Errorf("%d reports before a refresh, want 1: one per problem, not per route or request", n)
				}
				ft.tick()
				f.Decide(request("GET", ""), "/a")
				f.Decide(request("GET", ""), "/b")
				synctest.Wait()
				if n := log.count(); n != 2 {
					t.Errorf("%d reports after a refresh, want 2: the problem is reported again once", n)
				}
			})
		})
	}
}

func TestReporterBound(t *testing.T) {
	var n int
	r := newReporter(func(error) { n++ })
	problem := func(i int) *FlagError {
		return &FlagError{Key: KeySamplePercent, Err: fmt.Errorf("%w: %d is above 100", ErrInvalidValue, i)}
	}
	for i := range 2 * maxReportsPerRefresh {
		r.report(1, problem(i))
	}
	if n != maxReportsPerRefresh {
		t.Errorf("%d problems reported in one refresh, want the bound %d", n, maxReportsPerRefresh)
	}
	r.report(2, problem(0))
	if n != maxReportsPerRefresh+1 {
		t.Error("a new refresh did not reset the bound")
	}
}

// TestManyRoutes: every (route, method) pair keeps its own decision as the
// cache grows, including routes that share their length and their first and
// last bytes (raw paths that differ in the middle), and routes of every
// length around the eight bytes read from each end.
func TestManyRoutes(t *testing.T) {
	var routes []string
	for i := range 100 {
		routes = append(routes, fmt.Sprintf("/items/%04d/details", i)) // alike at both ends
	}
	for n := 1; n <= 20; n++ {
		routes = append(routes, "/"+strings.Repeat("abcdefghij", 2)[:n-1]) // lengths 1 to 20
	}
	routes = append(routes, "")
	methods := []string{"GET", "HEAD"}
	// Each pair's own decision: a function of its index, so that a pair
	// given another's entry gets a wrong one.
	index := map[string]int{}
	for i, route := range routes {
		for j, method := range methods {
			index[route+" "+method] = 2*i + j
		}
	}
	flags := shadowFlags(true, 100, "postgres")
	flags[KeyEnabled] = dynamic(func(flat openfeature.FlattenedContext) any {
		return index[fmt.Sprint(flat[AttrRoute], " ", flat[AttrMethod])]%3 == 0
	})
	client, _ := memClient(t, flags)
	f, _, _ := newTestFlags(t, client)

	for pass := range 2 { // the first fills the cache, the second reads it
		for _, route := range routes {
			for _, method := range methods {
				want := index[route+" "+method]%3 == 0
				if got := f.Decide(request(method, ""), route).Sampled; got != want {
					t.Errorf("pass %d, %s %q: Sampled = %v, want %v (each pair has its own entry)", pass, method, route, got, want)
				}
			}
		}
	}
	if n, want := f.routes.Load().pairs, len(routes)*len(methods); n != want {
		t.Errorf("cache holds %d pairs, want %d", n, want)
	}
}
