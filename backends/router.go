package backends

import (
	"context"
	"fmt"
)

// Router holds one implementation of a store interface T per backend and
// returns the one a request's context routes to.
type Router[T any] struct {
	postgres, dynamodb T
}

// NewRouter returns a Router over stores, which must hold exactly one store
// for each of [Postgres] and [DynamoDB]. It panics otherwise: a missing store
// would silently compare a backend with itself, and this is a programming
// error best found at start-up.
func NewRouter[T any](stores map[Name]T) *Router[T] {
	for n := range stores {
		if !n.Valid() {
			panic(fmt.Sprintf("backends: NewRouter got unknown backend %q; use backends.Postgres or backends.DynamoDB", n))
		}
	}
	for _, n := range Names() {
		if _, ok := stores[n]; !ok {
			panic(fmt.Sprintf("backends: NewRouter needs a store for %q; give one for backends.Postgres and one for backends.DynamoDB", n))
		}
	}
	return &Router[T]{postgres: stores[Postgres], dynamodb: stores[DynamoDB]}
}

// For returns the store that ctx routes to: the one named by [WithTarget] or
// [WithShadowTarget], the PostgreSQL store when ctx names none.
func (r *Router[T]) For(ctx context.Context) T {
	return r.Get(Target(ctx))
}

// Get returns the store of backend n; any name other than [DynamoDB] gets
// the PostgreSQL store.
func (r *Router[T]) Get(n Name) T {
	if n == DynamoDB {
		return r.dynamodb
	}
	return r.postgres
}
