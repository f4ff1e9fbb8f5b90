// Package postgres opens a traced pgx connection pool for the PostgreSQL side
// of a migration, and maps pgx's "no rows" to [backends.ErrNotFound].
//
// # Opening a pool
//
// [Open] parses a postgres:// URL, applies pool defaults that suit a read
// path (a 5 s connect timeout, no idle connections kept for long, health
// checks every 30 s), installs the tracer and pings the server, so a wrong
// address or password fails at start-up. The URL's own pool_* parameters
// win over the defaults; [WithMaxConns] and [WithConfig] win over the URL.
// Errors from Open never repeat the password.
//
// # When the server stalls or is down
//
// Every statement, batch, copy and wait for a pooled connection has a
// deadline of its own, [DefaultQueryTimeout] unless [WithQueryTimeout] says
// otherwise: a server that stops answering fails the call with
// context.DeadlineExceeded rather than hanging it. After a failed connection
// attempt the pool does not dial again at once: the next attempts fail with
// the same error for a pause that doubles up to [DefaultDialBackoffMax]
// ([WithDialBackoff]), so a server that is down sees no reconnect storm.
//
// # Tracing
//
// Every query, batch and new connection becomes an OpenTelemetry client span
// through pgx's tracer hooks ([pgx.QueryTracer], [pgx.BatchTracer],
// [pgx.ConnectTracer]). A span is named after the statement's SQL command
// ("SELECT", "INSERT", ...), never after the statement itself, which can hold
// literals, and carries the database attributes of the OpenTelemetry semantic
// conventions: db.system=postgresql, db.operation.name, db.namespace,
// server.address and server.port; a failed statement adds
// db.response.status_code (the SQLSTATE) and an error status. The statement
// text is recorded as db.query.text only with [WithQueryText]; query
// arguments never are.
//
// # Errors
//
// [MapError] turns [pgx.ErrNoRows] into an error that is
// [backends.ErrNotFound], so a handler written once for both stores tells
// "not found" from a failure the same way for each.
package postgres
