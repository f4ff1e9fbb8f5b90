// Package postgres opens a traced pgx connection pool for the PostgreSQL side
// of a migration, and maps pgx's "no rows" to [backends.ErrNotFound].
//
// [Open] parses a postgres:// URL, applies pool defaults that suit a read
// path (a 5 s connect timeout, no idle connections kept for long, health
// checks every 30 s), installs the tracer and pings the server, so a wrong
// address or password fails at start-up. The URL's own pool_* parameters
// win over the defaults; [WithMaxConns] and [WithConfig] win over the URL.
// Errors from Open never repeat the password.
//
//	pool, err := postgres.Open(ctx, "postgres://catalog@localhost/catalog")
//
// Every statement, batch, copy and wait for a pooled connection has a
// deadline ([WithQueryTimeout]), and a server that is down is dialled again
// only after a growing pause ([WithDialBackoff]). Every query, batch and
// new connection is an OpenTelemetry client span named after its SQL
// command, never its text ([WithQueryText] adds the text; arguments never).
//
// [MapError] turns [pgx.ErrNoRows] into an error that is
// [backends.ErrNotFound], so a handler written once for both stores tells
// "not found" from a failure the same way for each.
//
// The guide [docs/operations.md] lists the spans' attributes and the
// deadlines; [docs/migration.md] shows where the pool fits.
//
// [docs/operations.md]: https://github.com/shadowread/shadowread/blob/main/docs/operations.md
// [docs/migration.md]: https://github.com/shadowread/shadowread/blob/main/docs/migration.md
package postgres
