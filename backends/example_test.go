package backends_test

import (
	"context"
	"fmt"
	"time"

	"github.com/shadowread/shadowread/backends"
)

type greeter interface{ Greet() string }

type pgGreeter struct{}

func (pgGreeter) Greet() string { return "hello from postgres" }

type ddbGreeter struct{}

func (ddbGreeter) Greet() string { return "hello from dynamodb" }

func ExampleRouter() {
	stores := backends.NewRouter(map[backends.Name]greeter{
		backends.Postgres: pgGreeter{},
		backends.DynamoDB: ddbGreeter{},
	})

	// The middleware sets the target; a handler only asks the router.
	ctx := context.Background()
	fmt.Println(stores.For(ctx).Greet())
	fmt.Println(stores.For(backends.WithShadowTarget(ctx, backends.DynamoDB)).Greet())
	// Output:
	// hello from postgres
	// hello from dynamodb
}

func ExampleIsShadow() {
	ctx := backends.WithShadowTarget(context.Background(), backends.DynamoDB)
	if !backends.IsShadow(ctx) {
		fmt.Println("record the page view")
	}
	fmt.Println("serve from", backends.Target(ctx))
	// Output: serve from dynamodb
}

func ExampleThrottle() {
	throttle := backends.NewThrottle(backends.DynamoDB, time.Second)
	fmt.Println(throttle.Level(), throttle.Admit())

	// The DynamoDB client saw a ProvisionedThroughputExceededException:
	// from now on, one shadow read in two goes ahead.
	throttle.Note()
	fmt.Println(throttle.Level())
	// Output:
	// 0 true
	// 1
}
