package flags

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
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
	if n := evaluations.Load(); n != 1 {
		t.Errorf("enabled flag evaluated %d times for 101 requests of one route, want 1", n)
	}

	ft.tick()
	if !sampled() {
		t.Error("the refresh tick did not make the new value visible")
	}
	if n := evaluations.Load(); n != 2 {
		t.Errorf("enabled flag evaluated %d times after one tick, want 2", n)
	}
	if ft.resets != 1 || ft.d != 5*time.Second {
		t.Errorf("after the tick the timer was re-armed %d times for %v, want once for 5s", ft.resets, ft.d)
	}
}

func TestRefreshOnProviderEvent(t *testing.T) {
	client, provider := memClient(t, shadowFlags(false, 100, "postgres"))
	f, _, _ := newTestFlags(t, client)
	if got := f.Decide(request("GET", ""), "/products/{id}"); got != Safe() {
		t.Fatalf("Decide = %+v, want Safe() while disabled", got)
	}

	// UpdateFlags sends PROVIDER_CONFIGURATION_CHANGED; no tick is fired.
	provider.UpdateFlags(shadowFlags(true, 100, "dynamodb"))
	want := Decision{Primary: backends.DynamoDB, Shadow: backends.Postgres, Sampled: true}
	eventually(t, "the configuration change is seen", func() bool {
		return f.Decide(request("GET", ""), "/products/{id}") == want
	})
}

// TestStaleEntryRefreshedOnce: while one request re-reads a stale entry,
// the others keep the old values instead of evaluating too.
func TestStaleEntryRefreshedOnce(t *testing.T) {
	var (
		changed, blocked atomic.Bool
		entered          = make(chan struct{})
		release          = make(chan struct{})
		releaseOnce      sync.Once
		reads            atomic.Int64
	)
	t.Cleanup(func() { releaseOnce.Do(func() { close(release) }) })
	flags := shadowFlags(false, 100, "postgres")
	flags[KeyEnabled] = dynamic(func(openfeature.FlattenedContext) any {
		reads.Add(1)
		if !changed.Load() {
			return false
		}
		// The first reader of the new value parks inside the provider;
		// any other reader would get the new value at once.
		if blocked.CompareAndSwap(false, true) {
			entered <- struct{}{}
			<-release
		}
		return true
	})
	client, _ := memClient(t, flags)
	f, _, ft := newTestFlags(t, client)
	decide := func() Decision { return f.Decide(request("GET", ""), "/products/{id}") }
	decide()

	changed.Store(true)
	ft.tick()
	refreshed := make(chan Decision)
	go func() { refreshed <- decide() }()
	select {
	case <-entered: // the refreshing request is inside the provider now
	case <-refreshed:
		t.Fatal("the first request after a tick did not re-read the flags")
	}

	for range 50 {
		if got := decide(); got.Sampled {
			t.Fatal("a concurrent request saw the new value before the refresh finished")
		}
	}
	if n := reads.Load(); n != 2 {
		t.Errorf("enabled flag read %d times, want 2: the first fill and one refresh", n)
	}
	releaseOnce.Do(func() { close(release) })
	if got := <-refreshed; !got.Sampled {
		t.Error("the refreshing request did not get the new value")
	}
	if !decide().Sampled {
		t.Error("requests after the refresh did not get the new value")
	}
}

func TestRouteCap(t *testing.T) {
	var mu sync.Mutex
	var evaluated []string
	flags := shadowFlags(true, 100, "postgres")
	flags[KeyEnabled] = dynamic(func(flat openfeature.FlattenedContext) any {
		mu.Lock()
		defer mu.Unlock()
		evaluated = append(evaluated, fmt.Sprint(flat[AttrRoute], " ", flat[AttrMethod]))
		return flat[AttrRoute] == OtherRoute // the overflow is targetable on its own
	})
	client, _ := memClient(t, flags)
	f, log, _ := newTestFlags(t, client, WithMaxRoutes(3))

	for i := range 10 {
		route := fmt.Sprintf("/raw/path/%d", i)
		got := f.Decide(request("GET", ""), route).Sampled
		if want := i >= 3; got != want {
			t.Errorf("%s: Sampled = %v, want %v (the first 3 pairs have their own entries, the rest share %q)",
				route, got, want, OtherRoute)
		}
	}
	if n := len(*f.routes.Load()); n != 3 {
		t.Errorf("cache holds %d entries, want the cap, 3", n)
	}
	want := []string{"/raw/path/0 GET", "/raw/path/1 GET", "/raw/path/2 GET", OtherRoute + " " + OtherRoute}
	if !slices.Equal(evaluated, want) {
		t.Errorf("evaluated %q, want %q: one evaluation per entry", evaluated, want)
	}
	if errs := log.all(); len(errs) != 1 {
		t.Errorf("reported %v, want one report of the overflow", errs)
	}
}

func TestReporterOncePerRefresh(t *testing.T) {
	client, _ := memClient(t, shadowFlags(true, 150, "postgres"))
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			f, log, ft := newTestFlags(t, client, mode.opts...)
			for range 3 {
				for _, route := range []string{"/a", "/a", "/b"} {
					f.Decide(request("GET", ""), route)
				}
			}
			if n := log.count(); n != 1 {
				t.Errorf("%d reports before a refresh, want 1: one per problem, not per route or request", n)
			}
			ft.tick()
			f.Decide(request("GET", ""), "/a")
			f.Decide(request("GET", ""), "/b")
			if n := log.count(); n != 2 {
				t.Errorf("%d reports after a refresh, want 2: the problem is reported again once", n)
			}
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
