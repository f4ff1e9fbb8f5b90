package flags_test

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/open-feature/go-sdk/openfeature"
	"github.com/open-feature/go-sdk/openfeature/memprovider"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/flags"
)

// flag is an in-memory flag that always has value.
func flag(value any) memprovider.InMemoryFlag {
	return memprovider.InMemoryFlag{
		State:          memprovider.Enabled,
		DefaultVariant: "value",
		Variants:       map[string]any{"value": value},
	}
}

func ExampleNew() {
	// In production the provider is flagd, LaunchDarkly, etc.
	provider := memprovider.NewInMemoryProvider(map[string]memprovider.InMemoryFlag{
		flags.KeyEnabled:       flag(true),
		flags.KeySamplePercent: flag(100.0),
		flags.KeyPrimary:       flag("dynamodb"),
	})
	if err := openfeature.SetNamedProviderAndWait("catalog", provider); err != nil {
		fmt.Println(err)
		return
	}
	defer openfeature.Shutdown()

	decider := flags.New(openfeature.NewClient("catalog"))
	defer decider.Close()

	r := httptest.NewRequest("GET", "/products/42", nil)
	d := decider.Decide(r, "/products/{id}")
	fmt.Printf("primary %s, shadow %s, sampled %v\n", d.Primary, d.Primary.Other(), d.Sampled)
	// Output: primary dynamodb, shadow postgres, sampled true
}

func ExampleNew_providerMissing() {
	// No provider is registered for this domain: the decision is the safe one.
	decider := flags.New(openfeature.NewClient("nobody-registered-this"))
	defer decider.Close()

	r := httptest.NewRequest("GET", "/products/42", nil)
	fmt.Println(decider.Decide(r, "/products/{id}") == flags.Safe())
	// Output: true
}

func ExampleFlags_Problem() {
	// A client whose domain has no provider: nothing would ever be shadowed.
	// Flags reports it once through otel.Handle, and Problem says it for a
	// status page until a provider is registered.
	decider := flags.New(openfeature.NewClient("inventory"))
	defer decider.Close()

	decider.Decide(httptest.NewRequest("GET", "/products/42", nil), "/products/{id}")
	err := decider.Problem()
	fmt.Println(errors.Is(err, flags.ErrNoProvider))
	fmt.Println(err)
	// Output:
	// true
	// flags: the OpenFeature client is served by the no-op provider (no provider is registered for domain "inventory", nor a default one): no request is shadowed and postgres stays primary; register the provider before serving, with openfeature.SetProviderAndWait(ctx, provider, openfeature.WithDomain("inventory"))
}

func ExampleWithTargetingKey() {
	provider := memprovider.NewInMemoryProvider(map[string]memprovider.InMemoryFlag{
		flags.KeyEnabled:       flag(true),
		flags.KeySamplePercent: flag(50.0),
		flags.KeyPrimary:       flag("postgres"),
	})
	if err := openfeature.SetNamedProviderAndWait("catalog", provider); err != nil {
		fmt.Println(err)
		return
	}
	defer openfeature.Shutdown()

	decider := flags.New(openfeature.NewClient("catalog"),
		flags.WithTargetingKey(flags.HeaderKey("X-User-Id")))
	defer decider.Close()

	// Each user is in the 50% sample on every request, or on none.
	for _, user := range []string{"alice", "bob", "alice", "bob"} {
		r := httptest.NewRequest("GET", "/products/42", nil)
		r.Header.Set("X-User-Id", user)
		fmt.Println(user, decider.Decide(r, "/products/{id}").Sampled)
	}
	// Output:
	// alice true
	// bob false
	// alice true
	// bob false
}

func ExampleWithExactEvaluation() {
	// Beta testers read from DynamoDB; everyone else from PostgreSQL.
	perUser := func(_ memprovider.InMemoryFlag, ec openfeature.FlattenedContext) (any, openfeature.ProviderResolutionDetail) {
		if ec[openfeature.TargetingKey] == "beta-tester" {
			return "dynamodb", openfeature.ProviderResolutionDetail{Reason: openfeature.TargetingMatchReason}
		}
		return "postgres", openfeature.ProviderResolutionDetail{Reason: openfeature.DefaultReason}
	}
	provider := memprovider.NewInMemoryProvider(map[string]memprovider.InMemoryFlag{
		flags.KeyEnabled:       flag(false),
		flags.KeySamplePercent: flag(0.0),
		flags.KeyPrimary:       {State: memprovider.Enabled, ContextEvaluator: &perUser},
	})
	if err := openfeature.SetNamedProviderAndWait("catalog", provider); err != nil {
		fmt.Println(err)
		return
	}
	defer openfeature.Shutdown()

	// The rule needs the user, so every request is evaluated in full.
	decider := flags.New(openfeature.NewClient("catalog"),
		flags.WithExactEvaluation(),
		flags.WithTargetingKey(flags.HeaderKey("X-User-Id")))
	defer decider.Close()

	for _, user := range []string{"beta-tester", "someone-else"} {
		r := httptest.NewRequest("GET", "/products/42", nil)
		r.Header.Set("X-User-Id", user)
		fmt.Println(user, decider.Decide(r, "/products/{id}").Primary)
	}
	// Output:
	// beta-tester dynamodb
	// someone-else postgres
}

func ExampleNew_perRoute() {
	// Shadow product reads only; the rule sees the route and the method.
	productReads := func(_ memprovider.InMemoryFlag, ec openfeature.FlattenedContext) (any, openfeature.ProviderResolutionDetail) {
		on := ec[flags.AttrRoute] == "/products/{id}" && ec[flags.AttrMethod] == "GET"
		return on, openfeature.ProviderResolutionDetail{Reason: openfeature.TargetingMatchReason}
	}
	provider := memprovider.NewInMemoryProvider(map[string]memprovider.InMemoryFlag{
		flags.KeyEnabled:       {State: memprovider.Enabled, ContextEvaluator: &productReads},
		flags.KeySamplePercent: flag(100.0),
		flags.KeyPrimary:       flag("postgres"),
	})
	if err := openfeature.SetNamedProviderAndWait("catalog", provider); err != nil {
		fmt.Println(err)
		return
	}
	defer openfeature.Shutdown()

	decider := flags.New(openfeature.NewClient("catalog"))
	defer decider.Close()

	for _, route := range []string{"/products/{id}", "/orders/{id}"} {
		r := httptest.NewRequest("GET", "/", nil)
		fmt.Println(route, decider.Decide(r, route).Sampled)
	}
	// Output:
	// /products/{id} true
	// /orders/{id} false
}

func ExampleWithFallbackPrimary() {
	// After the cutover the write path no longer writes PostgreSQL. Here the
	// provider has lost its flags: without a good read the decision is the
	// safe one, with DynamoDB serving and nothing shadowed.
	provider := memprovider.NewInMemoryProvider(map[string]memprovider.InMemoryFlag{})
	if err := openfeature.SetNamedProviderAndWait("catalog", provider); err != nil {
		fmt.Println(err)
		return
	}
	defer openfeature.Shutdown()

	decider := flags.New(openfeature.NewClient("catalog"),
		flags.WithFallbackPrimary(backends.DynamoDB))
	defer decider.Close()

	r := httptest.NewRequest("GET", "/products/42", nil)
	d := decider.Decide(r, "/products/{id}")
	fmt.Printf("primary %s, sampled %v\n", d.Primary, d.Sampled)
	fmt.Println(d == flags.SafeFor(backends.DynamoDB))
	// Output:
	// primary dynamodb, sampled false
	// true
}

func ExampleWithEvaluationTimeout() {
	provider := memprovider.NewInMemoryProvider(map[string]memprovider.InMemoryFlag{
		flags.KeyEnabled:       flag(true),
		flags.KeySamplePercent: flag(100.0),
		flags.KeyPrimary:       flag("dynamodb"),
	})
	if err := openfeature.SetNamedProviderAndWait("catalog", provider); err != nil {
		fmt.Println(err)
		return
	}
	defer openfeature.Shutdown()

	// A remote provider far from the service: the first request of a route
	// waits for it at most 50 ms; refreshes never make a request wait.
	decider := flags.New(openfeature.NewClient("catalog"),
		flags.WithEvaluationTimeout(50*time.Millisecond))
	defer decider.Close()

	r := httptest.NewRequest("GET", "/products/42", nil)
	fmt.Println(decider.Decide(r, "/products/{id}").Primary)
	// Output: dynamodb
}

func Example_primaryShare() {
	provider := memprovider.NewInMemoryProvider(map[string]memprovider.InMemoryFlag{
		flags.KeyEnabled:        flag(false),
		flags.KeySamplePercent:  flag(0.0),
		flags.KeyPrimary:        flag("postgres"),
		flags.KeyPrimaryPercent: flag(25.0),
	})
	if err := openfeature.SetNamedProviderAndWait("catalog", provider); err != nil {
		fmt.Println(err)
		return
	}
	defer openfeature.Shutdown()

	decider := flags.New(openfeature.NewClient("catalog"),
		flags.WithTargetingKey(flags.HeaderKey("X-User-Id")))
	defer decider.Close()

	// A quarter of the users read from DynamoDB, each on every request.
	onDynamoDB := 0
	for i := range 1000 {
		r := httptest.NewRequest("GET", "/products/42", nil)
		r.Header.Set("X-User-Id", fmt.Sprint("user-", i))
		if decider.Decide(r, "/products/{id}").Primary == backends.DynamoDB {
			onDynamoDB++
		}
	}
	fmt.Println(onDynamoDB > 200 && onDynamoDB < 300)
	// Output: true
}
