package telemetry

import (
	"fmt"
	"log/slog"
	"time"
)

// Option configures [New].
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// config holds the settings of one [OTel] recorder.
type config struct {
	maxRoutes      int
	maxSignatures  int
	readyThreshold float64
	minSamples     uint64
	logger         *slog.Logger
	logInterval    time.Duration
	diffValues     bool
	now            func() time.Time
}

// Defaults.
const (
	defaultMaxRoutes      = 256
	defaultMaxSignatures  = 20
	defaultReadyThreshold = 0.001
	defaultMinSamples     = 1000
	defaultLogInterval    = time.Minute
)

func newConfig(opts []Option) config {
	c := config{
		maxRoutes:      defaultMaxRoutes,
		maxSignatures:  defaultMaxSignatures,
		readyThreshold: defaultReadyThreshold,
		minSamples:     defaultMinSamples,
		logger:         slog.Default(),
		logInterval:    defaultLogInterval,
		now:            time.Now,
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

// WithMaxSignatures bounds the number of diff signatures kept per route for
// the report (default 20). When a new signature arrives at the limit, the
// one seen least often is evicted and counted.
func WithMaxSignatures(n int) Option {
	if n < 1 {
		panic(fmt.Sprintf("telemetry: WithMaxSignatures(%d): the limit must be at least 1", n))
	}
	return optionFunc(func(c *config) { c.maxSignatures = n })
}

// WithReadyThreshold sets the failure rate a route must be shown to stay under
// to be ready for the cutover (default 0.001): the 95% upper bound of its
// failure rate must be below it. See [RouteReadiness].
func WithReadyThreshold(rate float64) Option {
	if !(rate > 0 && rate < 1) {
		panic(fmt.Sprintf("telemetry: WithReadyThreshold(%g): the threshold is a rate between 0 and 1 exclusive, such as 0.001", rate))
	}
	return optionFunc(func(c *config) { c.readyThreshold = rate })
}

// WithMinSamples sets the number of samples a route needs before it can be
// ready for the cutover (default 1,000), whatever its bound.
func WithMinSamples(n uint64) Option {
	if n < 1 {
		panic("telemetry: WithMinSamples(0): a route needs at least one sample to be judged")
	}
	return optionFunc(func(c *config) { c.minSamples = n })
}

// WithLogger sets the logger of mismatch lines (default slog.Default() at the
// time of New).
func WithLogger(l *slog.Logger) Option {
	if l == nil {
		panic("telemetry: WithLogger(nil); pass slog.New(slog.DiscardHandler) to turn mismatch logging off")
	}
	return optionFunc(func(c *config) { c.logger = l })
}

// WithLogInterval sets how often a mismatch line is logged for the same
// route and diff signature (default one minute).
func WithLogInterval(d time.Duration) Option {
	if d <= 0 {
		panic(fmt.Sprintf("telemetry: WithLogInterval(%v): the interval must be positive, such as time.Minute", d))
	}
	return optionFunc(func(c *config) { c.logInterval = d })
}

// WithDiffValues puts the values of differences (Diff.Primary and
// Diff.Shadow) into span events, log lines and the report. They are left out
// by default. The comparator redacts values unless it was told to show them,
// so both must opt in before a value leaves the process.
func WithDiffValues() Option {
	return optionFunc(func(c *config) { c.diffValues = true })
}
