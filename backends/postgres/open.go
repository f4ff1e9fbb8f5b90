package postgres

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/multitracer"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.opentelemetry.io/otel"
)

// Pool defaults for a read path. A parameter the URL sets (pool_max_conns,
// pool_min_conns, pool_max_conn_idle_time, pool_health_check_period,
// connect_timeout) wins over them.
const (
	// defaultConnectTimeout bounds a new connection: a request that waits for
	// one should fail fast rather than hang for pgx's two minutes.
	defaultConnectTimeout = 5 * time.Second
	// defaultMaxConnIdleTime lets a pool that served a burst of sampled
	// shadow reads shrink again.
	defaultMaxConnIdleTime = 5 * time.Minute
	// defaultHealthCheckPeriod finds connections broken by a failover or a
	// restart before a request does.
	defaultHealthCheckPeriod = 30 * time.Second
	// minDefaultMaxConns is the least default pool size; reads wait on the
	// network, not on this process's CPUs, so the pool is larger than
	// pgx's default of the number of CPUs.
	minDefaultMaxConns = 8
)

// Open creates a connection pool for the PostgreSQL server at connString (a
// postgres:// URL or a key=value string, as pgx accepts), traces its queries
// and pings the server, so a wrong address or password fails here rather
// than on the first request. Close the pool when done.
//
// An error from Open never contains the password.
func Open(ctx context.Context, connString string, opts ...Option) (*pgxpool.Pool, error) {
	c := newConfig(opts)
	poolConfig, err := pgxpool.ParseConfig(connString)
	if err != nil {
		return nil, fmt.Errorf("postgres: invalid connection string: %s", parseErrorReason(connString, err))
	}
	applyDefaults(poolConfig, connString)
	if c.maxConns > 0 {
		poolConfig.MaxConns = c.maxConns
	}
	for _, configure := range c.configure {
		configure(poolConfig)
	}
	tp := c.tracerProvider
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	// The deadline first, so the spans of a call see its bounded context.
	tracers := []pgx.QueryTracer{newTracer(tp, c.queryText, &poolConfig.ConnConfig.Config)}
	if c.queryTimeout > 0 {
		tracers = append([]pgx.QueryTracer{deadlines{c.queryTimeout}}, tracers...)
	}
	if theirs := poolConfig.ConnConfig.Tracer; theirs != nil {
		tracers = append(tracers, theirs)
	}
	poolConfig.ConnConfig.Tracer = tracers[0]
	if len(tracers) > 1 {
		poolConfig.ConnConfig.Tracer = multitracer.New(tracers...)
	}
	gateDials(&poolConfig.ConnConfig.Config, c.dialMin, c.dialMax)

	pool, err := pgxpool.NewWithConfig(ctx, poolConfig)
	if err != nil {
		return nil, fmt.Errorf("postgres: create pool: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: ping %s:%d: %w",
			poolConfig.ConnConfig.Host, poolConfig.ConnConfig.Port, err)
	}
	return pool, nil
}

// gateDials puts the dial back-off in front of the configured dial
// function, the fallbacks' included.
func gateDials(c *pgconn.Config, minPause, maxPause time.Duration) {
	gate := newDialGate(c.DialFunc, minPause, maxPause)
	c.DialFunc = gate.DialContext
}

// applyDefaults sets the read-path defaults where the connection string
// leaves pgx's own.
func applyDefaults(c *pgxpool.Config, connString string) {
	if !sets(connString, "pool_max_conns") {
		c.MaxConns = int32(max(minDefaultMaxConns, 2*runtime.NumCPU()))
	}
	if !sets(connString, "pool_min_conns") {
		c.MinConns = 0
	}
	if !sets(connString, "pool_max_conn_idle_time") {
		c.MaxConnIdleTime = defaultMaxConnIdleTime
	}
	if !sets(connString, "pool_health_check_period") {
		c.HealthCheckPeriod = defaultHealthCheckPeriod
	}
	// Zero when neither the string nor PGCONNECT_TIMEOUT sets one.
	if c.ConnConfig.ConnectTimeout == 0 {
		c.ConnConfig.ConnectTimeout = defaultConnectTimeout
	}
}

// sets reports whether connString sets the parameter, as URL query parameter
// or as key=value pair; both forms spell it "name=".
func sets(connString, name string) bool {
	return strings.Contains(connString, name+"=")
}

// parseErrorReason explains why pgx could not parse connString without
// repeating the password. pgx redacts the string it quotes, but only as far
// as it can recognise the password, and the error it wraps may quote the
// string again unredacted.
func parseErrorReason(connString string, err error) string {
	u, urlErr := url.Parse(connString)
	if urlErr != nil {
		// The reason alone, without the URL that url.Error would quote.
		var e *url.Error
		if errors.As(urlErr, &e) {
			return e.Err.Error()
		}
		return "not a valid URL"
	}
	reason := err.Error()
	var secrets []string
	if pw, ok := u.User.Password(); ok {
		secrets = append(secrets, pw, url.PathEscape(pw), url.QueryEscape(pw))
	}
	for _, key := range []string{"password", "sslpassword"} {
		for _, v := range u.Query()[key] {
			secrets = append(secrets, v, url.QueryEscape(v))
		}
	}
	for _, s := range secrets {
		if s != "" {
			reason = strings.ReplaceAll(reason, s, "xxxxx")
		}
	}
	return reason
}
