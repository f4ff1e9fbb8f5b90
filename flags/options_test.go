package flags

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/open-feature/go-sdk/openfeature"
	"github.com/open-feature/go-sdk/openfeature/memprovider"

	"github.com/shadowread/shadowread/backends"
)

func TestMisusePanics(t *testing.T) {
	client := newAPI(t).NewClient(openfeature.WithDomain("misuse"))
	attrs := func(*http.Request) map[string]any { return nil }
	tests := []struct {
		name      string
		build     func()
		wantInMsg string
		reason    string
	}{
		{"zero evaluation timeout", func() { New(client, WithEvaluationTimeout(0)) }, "positive duration",
			"a request could never wait for a new route's flags"},
		{"unknown fallback primary", func() { New(client, WithFallbackPrimary("dynamo")) }, "backends.DynamoDB",
			"the safe decision must name a backend the router knows"},
		{"attributes in cached mode", func() { New(client, WithAttributes(attrs)) }, "WithExactEvaluation",
			"per-request attributes would be cached for every user of the route"},
		{"zero refresh interval", func() { New(client, WithRefreshInterval(0)) }, "positive duration",
			"a zero interval would refresh continuously"},
		{"no routes", func() { New(client, WithMaxRoutes(0)) }, "at least 1",
			"the cache needs room for one pair"},
		{"empty flag key", func() { New(client, WithFlagKeys("a", "", "c")) }, "non-empty",
			"an empty key names no flag"},
		{"same flag key twice", func() { New(client, WithFlagKeys("a", "a", "c")) }, "different keys",
			"one flag cannot have two types"},
		{"nil key function", func() { WithTargetingKey(nil) }, "HeaderKey",
			"a nil function would panic on the first request"},
		{"nil attributes function", func() { WithAttributes(nil) }, "function",
			"a nil function would panic on the first request"},
		{"empty header name", func() { HeaderKey("") }, "header name",
			"no header is called \"\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				msg, _ := recover().(string)
				if !strings.HasPrefix(msg, "flags: ") || !strings.Contains(msg, tt.wantInMsg) {
					t.Errorf("panic %q, want a \"flags: \" message mentioning %q (%s)", msg, tt.wantInMsg, tt.reason)
				}
			}()
			tt.build()
		})
	}
}

func TestOptionsCompose(t *testing.T) {
	preset := Options{WithRefreshInterval(time.Minute), Options{WithMaxRoutes(7)}}
	c := newConfig([]Option{preset, WithFlagKeys("e", "p", "k")})
	if c.refreshInterval != time.Minute || c.maxRoutes != 7 || c.keys != (keys{"e", "p", "k", KeyPrimaryPercent}) {
		t.Errorf("config %+v does not hold the options of the nested preset", c)
	}
}

func TestWithFlagKeys(t *testing.T) {
	client, _ := memClient(t, map[string]memprovider.InMemoryFlag{
		"catalog.enabled": static(true),
		"catalog.percent": static(100.0),
		"catalog.primary": static("dynamodb"),
		KeyEnabled:        static(false), // the default keys must not be read
	})
	f, _, _ := newTestFlags(t, client, WithFlagKeys("catalog.enabled", "catalog.percent", "catalog.primary"))
	want := Decision{Primary: "dynamodb", Sampled: true}
	if got := f.Decide(request("GET", ""), "/products/{id}"); got != want {
		t.Errorf("Decide = %+v, want %+v from the renamed flags", got, want)
	}
}

func TestHeaderKey(t *testing.T) {
	r := request("GET", "")
	r.Header.Set("X-Tenant-Id", "acme")
	r.Header.Add("X-Tenant-Id", "ignored")
	tests := []struct {
		name, header, want string
		reason             string
	}{
		{"canonical", "X-Tenant-Id", "acme", "the first value counts"},
		{"lower case", "x-tenant-id", "acme", "header names are case-insensitive"},
		{"absent", "X-User-Id", "", "no header gives no key, so a random roll"},
	}
	for _, tt := range tests {
		key := HeaderKey(tt.header)
		if got := key(r); got != tt.want {
			t.Errorf("%s: HeaderKey(%q) = %q, want %q (%s)", tt.name, tt.header, got, tt.want, tt.reason)
		}
		if allocs := testing.AllocsPerRun(100, func() { key(r) }); allocs != 0 {
			t.Errorf("%s: HeaderKey allocates %v times per request, want 0", tt.name, allocs)
		}
	}
}

// TestDecideDoesNotAllocate guards the per-request cost of cached mode;
// BenchmarkDecide measures its time.
func TestDecideDoesNotAllocate(t *testing.T) {
	for _, tt := range []struct {
		name    string
		percent float64
		opts    []Option
	}{
		{"disabled", 0, nil},
		{"random roll", 50, nil},
		{"sticky roll", 50, []Option{WithTargetingKey(HeaderKey("X-User-Id"))}},
	} {
		client, _ := memClient(t, shadowFlags(true, tt.percent, "postgres"))
		f, _, _ := newTestFlags(t, client, tt.opts...)
		r := request("GET", "user-42")
		f.Decide(r, "/products/{id}")
		if allocs := testing.AllocsPerRun(1000, func() { f.Decide(r, "/products/{id}") }); allocs != 0 {
			t.Errorf("%s: Decide allocates %v times per request once the route is cached, want 0", tt.name, allocs)
		}
	}
}

// countingClient stands for a user's decorator of the SDK client: New takes
// any openfeature.IClient.
type countingClient struct {
	openfeature.IClient
	primaryReads atomic.Int64
}

func (c *countingClient) StringValue(ctx context.Context, flag string, def string, ec openfeature.EvaluationContext, opts ...openfeature.Option) (string, error) {
	c.primaryReads.Add(1)
	return c.IClient.StringValue(ctx, flag, def, ec, opts...)
}

func TestNewClient(t *testing.T) {
	// The nil cases use the global default provider, restored afterwards.
	if err := openfeature.SetProviderAndWait(memprovider.NewInMemoryProvider(shadowFlags(true, 100, "dynamodb"))); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(openfeature.Shutdown)
	mem, _ := memClient(t, shadowFlags(true, 100, "dynamodb"))
	decorated := &countingClient{IClient: mem}
	var typedNil *openfeature.Client

	tests := []struct {
		name   string
		client openfeature.IClient
		reason string
	}{
		{"nil", nil, "a nil client means the default client"},
		{"typed nil", typedNil, "a nil *openfeature.Client is nil too, not a client to call"},
		{"*openfeature.Client", mem, "the SDK's client, as existing callers pass it"},
		{"decorated IClient", decorated, "any implementation of the SDK's interface"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := New(tt.client, withErrorHandler(func(err error) { t.Error(err) }), WithEvaluationTimeout(time.Minute))
			defer f.Close()
			if got := f.Decide(request("GET", ""), "/products/{id}"); got != sampledDynamoDB {
				t.Errorf("Decide = %+v, want %+v from the flags (%s)", got, sampledDynamoDB, tt.reason)
			}
		})
	}
	if decorated.primaryReads.Load() == 0 {
		t.Error("the decorated client was not used")
	}
}

func TestNilOptionIgnored(t *testing.T) {
	client, _ := memClient(t, shadowFlags(true, 100, "dynamodb"))
	f, _, _ := newTestFlags(t, client, nil, Options{nil, WithFallbackPrimary(backends.DynamoDB)}, nil)
	if got := f.Safe(); got != SafeFor(backends.DynamoDB) {
		t.Errorf("Safe() = %+v: the options beside the nil ones were not applied", got)
	}
	if got := f.Decide(request("GET", ""), "/products/{id}"); got != sampledDynamoDB {
		t.Errorf("Decide = %+v, want %+v", got, sampledDynamoDB)
	}
}

func TestSharedRouteNames(t *testing.T) {
	if c := newConfig(nil); c.maxRoutes != backends.DefaultMaxRoutes {
		t.Errorf("default route cap %d, want backends.DefaultMaxRoutes %d", c.maxRoutes, backends.DefaultMaxRoutes)
	}
}

func TestSafeFor(t *testing.T) {
	for _, primary := range backends.Names() {
		d := SafeFor(primary)
		if d.Primary != primary || d.Sampled {
			t.Errorf("SafeFor(%s) = %+v, want %s serving, not sampled", primary, d, primary)
		}
	}
	if Safe() != SafeFor(backends.Postgres) {
		t.Errorf("Safe() = %+v, want SafeFor(backends.Postgres)", Safe())
	}
}
