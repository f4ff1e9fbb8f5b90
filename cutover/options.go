package cutover

import (
	"fmt"
	"log/slog"
	"slices"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// Default settings of [New].
const (
	DefaultHold        = 30 * time.Minute
	DefaultInterval    = time.Minute
	DefaultMaxFailures = 3
	// DefaultReverseBound is the bound of [ReverseUnder], the library's
	// default readiness threshold.
	DefaultReverseBound = 0.001
	// DefaultLatencyFactor and DefaultErrorMargin are the limits of
	// [LatencyWithin] and [ErrorsWithin]; DefaultMinCount is the
	// measurements each needs of both primaries.
	DefaultLatencyFactor = 1.5
	DefaultErrorMargin   = 0.01
	DefaultMinCount      = 100
)

// DefaultPlan is the primary share of each step, in percent.
func DefaultPlan() []float64 { return []float64{1, 5, 25, 50, 100} }

// Option configures [New].
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// Options is a list of options that is itself an option.
type Options []Option

func (o Options) apply(c *config) {
	for _, opt := range o {
		if opt != nil {
			opt.apply(c)
		}
	}
}

type config struct {
	plan        []float64
	hold        time.Duration
	interval    time.Duration
	maxFailures int
	start       []Gate // before the first step
	steps       []Gate // at every step
	user        []Gate // both
	now         func() time.Time
	logger      *slog.Logger
	tp          trace.TracerProvider
	mp          metric.MeterProvider
}

func newConfig(opts []Option) config {
	c := config{
		plan:        DefaultPlan(),
		hold:        DefaultHold,
		interval:    DefaultInterval,
		maxFailures: DefaultMaxFailures,
		start:       []Gate{ForwardReady()},
		steps: []Gate{
			ReverseUnder(DefaultReverseBound),
			LatencyWithin(DefaultLatencyFactor, DefaultMinCount),
			ErrorsWithin(DefaultErrorMargin, DefaultMinCount),
		},
		now:    time.Now,
		logger: slog.Default(),
	}
	Options(opts).apply(&c)
	if c.tp == nil {
		c.tp = otel.GetTracerProvider()
	}
	if c.mp == nil {
		c.mp = otel.GetMeterProvider()
	}
	c.validate()
	return c
}

func (c *config) validate() {
	if len(c.plan) == 0 || c.plan[len(c.plan)-1] != 100 {
		panic(fmt.Sprintf("cutover: WithPlan needs steps that end at 100, e.g. cutover.WithPlan(1, 5, 25, 50, 100), not %v", c.plan))
	}
	for i, p := range c.plan {
		if p > 0 && (i == 0 || p > c.plan[i-1]) {
			continue
		}
		panic(fmt.Sprintf("cutover: WithPlan needs rising steps above 0, e.g. cutover.WithPlan(1, 5, 25, 50, 100), not %v", c.plan))
	}
	if c.hold < 0 || c.interval <= 0 {
		panic("cutover: WithHold needs a duration of at least 0 and WithInterval a positive one, e.g. cutover.WithInterval(time.Minute)")
	}
	if c.maxFailures < 1 {
		panic("cutover: WithMaxFailures needs at least 1, e.g. cutover.WithMaxFailures(3)")
	}
}

// WithPlan sets the primary share of each step, in percent, rising and
// ending at 100. The default is [DefaultPlan].
func WithPlan(steps ...float64) Option {
	return optionFunc(func(c *config) { c.plan = slices.Clone(steps) })
}

// WithHold sets how long each step's gates must pass before the next step,
// and how long a route holds after a rollback. The default is [DefaultHold].
func WithHold(d time.Duration) Option {
	return optionFunc(func(c *config) { c.hold = d })
}

// WithInterval sets how often [Controller.Run] evaluates the gates. The
// default is [DefaultInterval].
func WithInterval(d time.Duration) Option {
	return optionFunc(func(c *config) { c.interval = d })
}

// WithMaxFailures sets after how many failed gates a route goes back to 0%
// instead of its last good step, and stays there. The default is
// [DefaultMaxFailures].
func WithMaxFailures(n int) Option {
	return optionFunc(func(c *config) { c.maxFailures = n })
}

// WithStepGates replaces the gates checked at every step: by default
// [ReverseUnder], [LatencyWithin] and [ErrorsWithin] with the default
// limits.
func WithStepGates(gates ...Gate) Option {
	return optionFunc(func(c *config) { c.steps = slices.Clone(gates) })
}

// WithStartGates replaces the gates checked before the first step: by
// default [ForwardReady].
func WithStartGates(gates ...Gate) Option {
	return optionFunc(func(c *config) { c.start = slices.Clone(gates) })
}

// WithGates adds gates of the user's, checked before the first step and at
// every step.
func WithGates(gates ...Gate) Option {
	return optionFunc(func(c *config) { c.user = append(c.user, gates...) })
}

// WithLogger sets the logger of decisions; the default is [slog.Default].
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(c *config) {
		if l != nil {
			c.logger = l
		}
	})
}

// WithTracerProvider and WithMeterProvider set where decisions go as span
// events and gauges; nil means the global providers.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return optionFunc(func(c *config) { c.tp = tp })
}

// WithMeterProvider: see [WithTracerProvider].
func WithMeterProvider(mp metric.MeterProvider) Option {
	return optionFunc(func(c *config) { c.mp = mp })
}

// withClock replaces time.Now for tests.
func withClock(now func() time.Time) Option {
	return optionFunc(func(c *config) { c.now = now })
}
