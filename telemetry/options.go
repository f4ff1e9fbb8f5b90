package telemetry

import "fmt"

// Option configures [New].
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// config holds the settings of one [OTel] recorder.
type config struct {
	maxRoutes int
}

// Defaults.
const (
	defaultMaxRoutes = 256
)

func newConfig(opts []Option) config {
	c := config{
		maxRoutes: defaultMaxRoutes,
	}
	for _, o := range opts {
		if o == nil {
			panic("telemetry: nil Option passed to New; drop it from the list")
		}
		o.apply(&c)
	}
	return c
}

// WithMaxRoutes bounds the number of distinct route values recorded (default
// 256). Events of further routes, and events without a route, are recorded
// under [OverflowRoute], so a route function that returns raw paths cannot
// blow up metric cardinality or memory.
func WithMaxRoutes(n int) Option {
	if n < 1 {
		panic(fmt.Sprintf("telemetry: WithMaxRoutes(%d): the limit must be at least 1", n))
	}
	return optionFunc(func(c *config) { c.maxRoutes = n })
}
