package flags

import (
	"context"
	"errors"
	"maps"
	"math"
	"net/http"
	"slices"
	"testing"

	"github.com/open-feature/go-sdk/openfeature"
	"github.com/open-feature/go-sdk/openfeature/memprovider"
	"go.uber.org/goleak"

	"github.com/shadowread/shadowread/backends"
)

func TestMain(m *testing.M) {
	// flagd v0.6.0 leaves its event relay running after Shutdown.
	goleak.VerifyTestMain(m,
		goleak.IgnoreTopFunction("github.com/open-feature/go-sdk-contrib/providers/flagd/pkg.(*Provider).handleEvents"))
}

// modes are the two ways Flags reads flags; decisions must not depend on it.
var modes = []struct {
	name string
	opts []Option
}{
	{"cached", nil},
	{"exact", []Option{WithExactEvaluation()}},
}

func TestDecide(t *testing.T) {
	sampledPG := Decision{Primary: backends.Postgres, Sampled: true}
	notSampledPG := Safe()
	sampledDDB := Decision{Primary: backends.DynamoDB, Sampled: true}
	notSampledDDB := Decision{Primary: backends.DynamoDB}

	tests := []struct {
		name        string
		flags       map[string]memprovider.InMemoryFlag
		want        Decision
		wantReports []string // flag keys reported, sorted
		wantInvalid bool     // the reports wrap ErrInvalidValue
		reason      string
	}{
		{"enabled at 100 percent", shadowFlags(true, 100, "postgres"), sampledPG, nil, false,
			"100 percent shadows every request"},
		{"enabled at 0 percent", shadowFlags(true, 0, "postgres"), notSampledPG, nil, false,
			"0 percent shadows nothing even when enabled"},
		{"disabled at 100 percent", shadowFlags(false, 100, "postgres"), notSampledPG, nil, false,
			"the enabled switch wins over the percentage"},
		{"reverse shadowing", shadowFlags(true, 100, "dynamodb"), sampledDDB, nil, false,
			"primary dynamodb makes PostgreSQL the shadow"},
		{"primary honoured while disabled", shadowFlags(false, 100, "dynamodb"), notSampledDDB, nil, false,
			"the primary switch can outlive the dark reads"},
		{"integer percent", map[string]memprovider.InMemoryFlag{
			KeyEnabled: static(true), KeySamplePercent: static(100), KeyPrimary: static("postgres"),
		}, sampledPG, nil, false,
			"a whole-number percentage is a valid float flag"},
		{"flag switched off in the provider", map[string]memprovider.InMemoryFlag{
			KeyEnabled:       {State: memprovider.Disabled, DefaultVariant: "on", Variants: map[string]any{"on": true}},
			KeySamplePercent: static(100.0), KeyPrimary: static("postgres"),
		}, notSampledPG, nil, false,
			"a disabled flag resolves to the default, false"},
		{"percent NaN", shadowFlags(true, math.NaN(), "postgres"), notSampledPG, []string{KeySamplePercent}, true,
			"NaN counts as 0 percent"},
		{"percent negative", shadowFlags(true, -5, "postgres"), notSampledPG, []string{KeySamplePercent}, true,
			"a negative percentage counts as 0"},
		{"percent above 100", shadowFlags(true, 150, "postgres"), sampledPG, []string{KeySamplePercent}, true,
			"a percentage above 100 counts as 100"},
		{"primary unknown", shadowFlags(true, 100, "dynamo"), notSampledPG, []string{KeyPrimary}, true,
			"an unknown backend falls back to PostgreSQL and no shadow: the intended direction is unknown"},
		{"primary wrong type", map[string]memprovider.InMemoryFlag{
			KeyEnabled: static(true), KeySamplePercent: static(100.0), KeyPrimary: static(true),
		}, sampledPG, []string{KeyPrimary}, false,
			"a primary flag that cannot be read as a string gives PostgreSQL; shadowing is unaffected"},
		{"enabled wrong type", map[string]memprovider.InMemoryFlag{
			KeyEnabled: static("yes"), KeySamplePercent: static(100.0), KeyPrimary: static("postgres"),
		}, notSampledPG, []string{KeyEnabled}, false,
			"an enabled flag that is not a bool counts as false"},
		{"percent wrong type", map[string]memprovider.InMemoryFlag{
			KeyEnabled: static(true), KeySamplePercent: static("all"), KeyPrimary: static("dynamodb"),
		}, notSampledDDB, []string{KeySamplePercent}, false,
			"a percentage that is not a number counts as 0"},
		{"no flags defined", nil, notSampledPG, []string{KeyEnabled, KeyPrimary}, false,
			"missing flags give the safe decision and are reported; the percentage is not read while disabled"},
		{"enabled missing", map[string]memprovider.InMemoryFlag{
			KeySamplePercent: static(100.0), KeyPrimary: static("dynamodb"),
		}, notSampledDDB, []string{KeyEnabled}, false,
			"the primary is honoured without the shadowing flags, which count as off until read once"},
	}
	for _, mode := range modes {
		for _, tt := range tests {
			t.Run(mode.name+"/"+tt.name, func(t *testing.T) {
				client, _ := memClient(t, tt.flags)
				f, log, _ := newTestFlags(t, client, mode.opts...)

				// Twice: the second call is served from the cache in cached mode.
				for range 2 {
					if got := f.Decide(request("GET", ""), "/products/{id}"); got != tt.want {
						t.Fatalf("Decide = %+v, want %+v (%s)", got, tt.want, tt.reason)
					}
				}
				if got := log.keys(t); !slices.Equal(got, tt.wantReports) {
					t.Errorf("reported flags %v, want %v, each once (%s)", got, tt.wantReports, tt.reason)
				}
				for _, err := range log.all() {
					if errors.Is(err, ErrInvalidValue) != tt.wantInvalid {
						t.Errorf("report %q: errors.Is(err, ErrInvalidValue) = %v, want %v", err, !tt.wantInvalid, tt.wantInvalid)
					}
				}
			})
		}
	}
}

// TestDecideProviderTrouble covers providers that cannot answer: Flags must
// give the safe decision, and recover once the provider does.
func TestDecideProviderTrouble(t *testing.T) {
	tests := []struct {
		name        string
		client      func(t *testing.T) *openfeature.Client
		wantReports bool
		reason      string
	}{
		{"no provider for the domain", func(t *testing.T) *openfeature.Client {
			return newAPI(t).NewClient(openfeature.WithDomain("nobody-registered-this"))
		}, true, "the SDK's no-op provider answers every flag with its default, and Flags says it never shadows"},
		{"provider erroring", func(t *testing.T) *openfeature.Client {
			return clientFor(t, failingProvider{})
		}, true, "every evaluation fails with a general error"},
		{"provider panicking", func(t *testing.T) *openfeature.Client {
			return clientFor(t, panickingProvider{})
		}, true, "a panic inside the provider must not reach the request"},
		{"provider not ready", func(t *testing.T) *openfeature.Client {
			provider := &blockingProvider{InMemoryProvider: memprovider.NewInMemoryProvider(shadowFlags(true, 100, "dynamodb")),
				release: make(chan struct{})}
			api := newAPI(t)
			t.Cleanup(provider.unblock) // before the API's Shutdown, which runs later
			domain := openfeature.WithDomain("slow")
			if err := api.SetProvider(t.Context(), provider, domain); err != nil {
				t.Fatal(err)
			}
			return api.NewClient(domain)
		}, true, "the SDK refuses to evaluate before Init returns"},
	}
	for _, mode := range modes {
		for _, fallback := range backends.Names() {
			for _, tt := range tests {
				t.Run(mode.name+"/fallback "+string(fallback)+"/"+tt.name, func(t *testing.T) {
					f, log, _ := newTestFlags(t, tt.client(t), append(mode.opts, WithFallbackPrimary(fallback))...)
					if got, want := f.Decide(request("GET", ""), "/products/{id}"), SafeFor(fallback); got != want {
						t.Errorf("Decide = %+v, want %+v, the safe decision with the fallback primary (%s)", got, want, tt.reason)
					}
					if got := log.count() > 0; got != tt.wantReports {
						t.Errorf("reported %v, want reports: %v (%s)", log.all(), tt.wantReports, tt.reason)
					}
				})
			}
		}
	}
}

// TestProviderBecomesReady: the ProviderReady event after a slow Init makes
// cached values current without waiting for the refresh interval.
func TestProviderBecomesReady(t *testing.T) {
	provider := &blockingProvider{InMemoryProvider: memprovider.NewInMemoryProvider(shadowFlags(true, 100, "dynamodb")),
		release: make(chan struct{})}
	api := newAPI(t)
	t.Cleanup(provider.unblock)
	domain := openfeature.WithDomain("slow")
	if err := api.SetProvider(t.Context(), provider, domain); err != nil {
		t.Fatal(err)
	}
	f, _, _ := newTestFlags(t, api.NewClient(domain))
	if got := f.Decide(request("GET", ""), "/products/{id}"); got != Safe() {
		t.Fatalf("before Init returns: Decide = %+v, want Safe()", got)
	}
	provider.unblock()
	want := Decision{Primary: backends.DynamoDB, Sampled: true}
	eventually(t, "the ready provider's flags are used", func() bool {
		return f.Decide(request("GET", ""), "/products/{id}") == want
	})
}

// TestProviderRegisteredLater: a service may build Flags before it
// registers its provider; the provider's ready event brings the flags in.
func TestProviderRegisteredLater(t *testing.T) {
	api := newAPI(t)
	domain := openfeature.WithDomain("late")
	f, _, _ := newTestFlags(t, api.NewClient(domain))
	if got := f.Decide(request("GET", ""), "/products/{id}"); got != Safe() {
		t.Fatalf("without a provider: Decide = %+v, want Safe()", got)
	}
	provider := memprovider.NewInMemoryProvider(shadowFlags(true, 100, "dynamodb"))
	if err := api.SetProviderAndWait(t.Context(), provider, domain); err != nil {
		t.Fatal(err)
	}
	want := Decision{Primary: backends.DynamoDB, Sampled: true}
	eventually(t, "the registered provider's flags are used", func() bool {
		return f.Decide(request("GET", ""), "/products/{id}") == want
	})
}

func TestDecidePerRouteTargeting(t *testing.T) {
	onlyProductReads := dynamic(func(flat openfeature.FlattenedContext) any {
		return flat[AttrRoute] == "/products/{id}" && flat[AttrMethod] == "GET"
	})
	flags := shadowFlags(true, 100, "postgres")
	flags[KeyEnabled] = onlyProductReads

	tests := []struct {
		name, method, route string
		want                bool
		reason              string
	}{
		{"targeted route", "GET", "/products/{id}", true, "route and method match the rule"},
		{"other route", "GET", "/orders/{id}", false, "the rule names another route"},
		{"other method", "HEAD", "/products/{id}", false, "the method is part of the evaluation context"},
		{"targeted route again", "GET", "/products/{id}", true, "entries of other routes do not disturb this one"},
		{"other method again", "HEAD", "/products/{id}", false, "a route's methods keep entries of their own"},
	}
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			client, _ := memClient(t, flags)
			f, _, _ := newTestFlags(t, client, mode.opts...)
			for _, tt := range tests {
				if got := f.Decide(request(tt.method, ""), tt.route).Sampled; got != tt.want {
					t.Errorf("%s: Sampled = %v, want %v (%s)", tt.name, got, tt.want, tt.reason)
				}
			}
		})
	}
}

// TestExactEvaluationContext: exact mode passes the targeting key and the
// extra attributes, and route and method win over attributes of that name.
func TestExactEvaluationContext(t *testing.T) {
	var seen openfeature.FlattenedContext
	flags := shadowFlags(true, 100, "postgres")
	flags[KeyEnabled] = dynamic(func(flat openfeature.FlattenedContext) any {
		seen = flat
		return true
	})
	client, _ := memClient(t, flags)
	f, _, _ := newTestFlags(t, client, WithExactEvaluation(),
		WithTargetingKey(HeaderKey("x-user-id")),
		WithAttributes(func(r *http.Request) map[string]any {
			return map[string]any{"tenant": r.Header.Get("X-Tenant"), AttrRoute: "spoofed"}
		}))
	r := request("GET", "user-7")
	r.Header.Set("X-Tenant", "acme")
	f.Decide(r, "/products/{id}")

	want := openfeature.FlattenedContext{
		openfeature.TargetingKey: "user-7", "tenant": "acme", AttrRoute: "/products/{id}", AttrMethod: "GET",
	}
	if !maps.Equal(seen, want) {
		t.Errorf("evaluation context %v, want %v", seen, want)
	}
}

// TestCachedEvaluationContext: cached mode evaluates without a targeting key
// and without the request's OpenFeature transaction context, because the
// values are shared by every request of the route.
func TestCachedEvaluationContext(t *testing.T) {
	var seen openfeature.FlattenedContext
	flags := shadowFlags(true, 100, "postgres")
	flags[KeyEnabled] = dynamic(func(flat openfeature.FlattenedContext) any {
		seen = flat
		return true
	})
	client, _ := memClient(t, flags)
	f, _, _ := newTestFlags(t, client, WithTargetingKey(HeaderKey("X-User-Id")))
	r := request("GET", "user-7")
	r = r.WithContext(openfeature.WithTransactionContext(r.Context(),
		openfeature.NewEvaluationContext("user-7", map[string]any{"plan": "gold"})))
	f.Decide(r, "/products/{id}")

	want := openfeature.FlattenedContext{AttrRoute: "/products/{id}", AttrMethod: "GET"}
	if !maps.Equal(seen, want) {
		t.Errorf("evaluation context %v, want %v", seen, want)
	}
}

func TestCloseGivesSafe(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			client, _ := memClient(t, shadowFlags(true, 100, "dynamodb"))
			f, _, ft := newTestFlags(t, client, mode.opts...)
			if got := f.Decide(request("GET", ""), "/products/{id}"); !got.Sampled {
				t.Fatalf("before Close: Decide = %+v, want sampled", got)
			}
			f.Close()
			f.Close() // a second Close is harmless
			if got := f.Decide(request("GET", ""), "/products/{id}"); got != Safe() {
				t.Errorf("after Close: Decide = %+v, want Safe()", got)
			}
			if !ft.stopped {
				t.Error("Close did not stop the refresh timer")
			}
		})
	}
}

// TestExactEvaluationKeepsRequestValues: the evaluation runs on a goroutine
// of its own, yet it still sees the request's OpenFeature transaction
// context, and the request's cancellation does not cut it short.
func TestExactEvaluationKeepsRequestValues(t *testing.T) {
	var seen openfeature.FlattenedContext
	flags := shadowFlags(true, 100, "postgres")
	flags[KeyEnabled] = dynamic(func(flat openfeature.FlattenedContext) any {
		seen = flat
		return true
	})
	client, _ := memClient(t, flags)
	f, _, _ := newTestFlags(t, client, WithExactEvaluation())
	r := request("GET", "")
	ctx, cancel := context.WithCancel(openfeature.WithTransactionContext(r.Context(),
		openfeature.NewTargetlessEvaluationContext(map[string]any{"plan": "gold"})))
	cancel()
	if got := f.Decide(r.WithContext(ctx), "/products/{id}"); !got.Sampled {
		t.Errorf("Decide = %+v, want sampled by the flags despite the cancelled request context", got)
	}
	if seen["plan"] != "gold" || seen[AttrRoute] != "/products/{id}" || seen[AttrMethod] != "GET" {
		t.Errorf("evaluation context %v, want the transaction's plan and the route and method", seen)
	}
}
