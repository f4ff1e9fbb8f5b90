package postgres

import (
	"fmt"
	"time"

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
	queryTimeout   time.Duration // 0: no deadline of the package's own
	dialMin        time.Duration
	dialMax        time.Duration
}

// Defaults of the options below.
const (
	// DefaultQueryTimeout bounds each statement, batch, copy and wait for a
	// pooled connection (see [WithQueryTimeout]).
	DefaultQueryTimeout = 5 * time.Second
	// DefaultDialBackoffMin and DefaultDialBackoffMax bound the pause
	// between connection attempts to a server that refuses them (see
	// [WithDialBackoff]).
	DefaultDialBackoffMin = 100 * time.Millisecond
	DefaultDialBackoffMax = 5 * time.Second
)

func newConfig(opts []Option) config {
	c := config{queryTimeout: DefaultQueryTimeout, dialMin: DefaultDialBackoffMin, dialMax: DefaultDialBackoffMax}
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

// WithQueryTimeout bounds each statement, batch, copy and wait for a pooled
// connection to d (default [DefaultQueryTimeout]), so that a server that
// stalls fails the call with context.DeadlineExceeded instead of hanging
// it. A caller's own earlier deadline still wins; a transaction's
// statements are bounded one by one. 0 sets no deadline of this package's
// own.
func WithQueryTimeout(d time.Duration) Option {
	if d < 0 {
		panic(fmt.Sprintf("postgres: WithQueryTimeout(%v): the timeout must be positive, such as 2*time.Second, or 0 for none", d))
	}
	return optionFunc(func(c *config) { c.queryTimeout = d })
}

// WithDialBackoff spaces out connection attempts after one fails: the next
// attempts within the pause fail at once with the same error, and the
// pause doubles from minPause up to maxPause while attempts keep failing
// (defaults [DefaultDialBackoffMin] and [DefaultDialBackoffMax]). Without
// it, every request that finds no idle connection while the server is down
// dials again.
func WithDialBackoff(minPause, maxPause time.Duration) Option {
	if minPause <= 0 || maxPause < minPause {
		panic(fmt.Sprintf("postgres: WithDialBackoff(%v, %v): want 0 < min <= max, such as 100*time.Millisecond, 5*time.Second", minPause, maxPause))
	}
	return optionFunc(func(c *config) { c.dialMin, c.dialMax = minPause, maxPause })
}
