package postgres

import (
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.opentelemetry.io/otel/trace"
)

// Option configures [Open]. A nil Option is ignored, and a nil argument to
// an option means the default.
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	tracerProvider trace.TracerProvider // nil: the global one, looked up at Open
	maxConns       int32                // 0: the URL's pool_max_conns or the default
	queryText      bool
	configure      []func(*pgxpool.Config)
}

func newConfig(opts []Option) config {
	var c config
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	return c
}

// WithTracerProvider sets where the spans of queries go. Nil, the default,
// means otel.GetTracerProvider() at the time of Open.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return optionFunc(func(c *config) { c.tracerProvider = tp })
}

// WithMaxConns caps the pool at n connections, over the URL's pool_max_conns.
func WithMaxConns(n int) Option {
	if n < 1 || n > 1<<31-1 {
		panic(fmt.Sprintf("postgres: WithMaxConns(%d): a pool needs between 1 and 2^31-1 connections", n))
	}
	return optionFunc(func(c *config) { c.maxConns = int32(n) })
}

// WithQueryText records each statement's SQL as the db.query.text span
// attribute. It is off by default because SQL can hold literals, such as user
// ids or e-mail addresses, that should not reach a tracing backend. Query
// arguments are never recorded.
func WithQueryText() Option {
	return optionFunc(func(c *config) { c.queryText = true })
}

// WithConfig lets fn change the pool configuration after the defaults, the
// URL and the other options are applied: for hooks such as AfterConnect or
// for settings this package has no option for. A tracer fn sets in
// ConnConfig.Tracer runs beside this package's. Several WithConfig functions
// run in order. Nil, the default, changes nothing.
func WithConfig(fn func(*pgxpool.Config)) Option {
	return optionFunc(func(c *config) {
		if fn != nil {
			c.configure = append(c.configure, fn)
		}
	})
}
