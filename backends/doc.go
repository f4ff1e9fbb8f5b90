// Package backends names the two stores of a PostgreSQL→DynamoDB migration
// and routes a request to one of them through its context.
//
// A read handler is written once against the user's own store interface.
// [Router] ([NewRouter]) holds one implementation per backend and hands out
// the one the request's context names with [WithTarget]; the shadow-read
// middleware sets that target for the primary and for the shadow execution
// of a request. A context that names no target gets PostgreSQL, the source
// of truth:
//
//	products := backends.NewRouter(map[backends.Name]ProductStore{
//		backends.Postgres: pgStore,
//		backends.DynamoDB: ddbStore,
//	})
//	p, err := products.For(r.Context()).Get(r.Context(), id)
//
// [IsShadow] tells a handler that it is running as the shadow, so it can skip
// side effects such as analytics events or cache writes. [ErrNotFound] is
// the "not found" of both stores. A [Throttle] carries a store's throttling
// from its client to the middleware, which then sends fewer shadow reads.
//
// The sub-packages [github.com/shadowread/shadowread/backends/postgres] and
// [github.com/shadowread/shadowread/backends/dynamodb] open traced clients for
// the two stores. The guide [docs/migration.md] shows where routing fits in
// each phase of the migration.
//
// [docs/migration.md]: https://github.com/shadowread/shadowread/blob/main/docs/migration.md
package backends
