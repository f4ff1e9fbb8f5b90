package backends_test

import (
	"context"
	"testing"

	"github.com/shadowread/shadowread/backends"
)

func TestStoreUseNotesEveryWayOfAsking(t *testing.T) {
	router := backends.NewRouter(map[backends.Name]int{backends.Postgres: 1, backends.DynamoDB: 2})
	for name, ask := range map[string]func(context.Context){
		"Target":     func(ctx context.Context) { backends.Target(ctx) },
		"Routing":    func(ctx context.Context) { backends.Routing(ctx) },
		"Router.For": func(ctx context.Context) { router.For(ctx) },
	} {
		var use backends.StoreUse
		ctx := backends.WithStoreUse(backends.WithShadowTarget(context.Background(), backends.DynamoDB), &use)
		if use.Asked() {
			t.Fatalf("%s: asked before anything asked", name)
		}
		if !backends.IsShadow(ctx) || use.Asked() {
			t.Fatalf("%s: IsShadow lost the role or counted as asking", name)
		}
		ask(ctx)
		if !use.Asked() {
			t.Errorf("%s did not note the question", name)
		}
		if got := router.For(ctx); got != 2 {
			t.Errorf("%s: routed to %d under WithStoreUse, want the DynamoDB store", name, got)
		}
	}
}
