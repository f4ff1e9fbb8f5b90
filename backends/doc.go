// Package backends names the two stores of a PostgreSQL→DynamoDB migration
// and routes a request to one of them through its context.
//
// A read handler is written once against the user's own store interface.
// [Router] holds one implementation per backend and hands out the one the
// request's context names with [WithTarget]; the shadow-read middleware sets
// that target for the primary and for the shadow execution of a request.
// A context that names no target gets PostgreSQL, the source of truth.
//
// [IsShadow] tells a handler that it is running as the shadow, so it can skip
// side effects such as analytics events or cache writes.
//
// A [Throttle] carries a store's throttling from its client to the
// middleware: the client notes each call the store refused for its rate,
// and the middleware sends fewer shadow reads to the store while it does.
//
// The sub-packages [github.com/shadowread/shadowread/backends/postgres] and
// [github.com/shadowread/shadowread/backends/dynamodb] open traced clients for
// the two stores.
package backends
