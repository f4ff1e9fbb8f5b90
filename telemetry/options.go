package telemetry

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/telemetry/internal/verdict"
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
	minCoverage    float64
	logger         *slog.Logger
	logInterval    time.Duration
	diffValues     bool
	entityKeys     bool
	traceURL       string
	routes         []string
	window         time.Duration
	now            func() time.Time
}

// Defaults.
const (
	defaultMaxRoutes      = backends.DefaultMaxRoutes
	defaultMaxSignatures  = 20
	defaultReadyThreshold = 0.001
	defaultMinSamples     = 1000
	defaultLogInterval    = time.Minute
	defaultWindow         = time.Hour
)

func newConfig(opts []Option) config {
	c := config{
		maxRoutes:      defaultMaxRoutes,
		maxSignatures:  defaultMaxSignatures,
		readyThreshold: defaultReadyThreshold,
		minSamples:     defaultMinSamples,
		minCoverage:    DefaultMinCoverage,
		logger:         slog.Default(),
		logInterval:    defaultLogInterval,
		window:         defaultWindow,
		now:            time.Now,
	}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	return c
}

// WithMaxRoutes bounds the number of distinct route values recorded (default
// [backends.DefaultMaxRoutes], the flag cache's limit too). Events of further routes, and events without a route, are recorded
// under [backends.OverflowRoute], so a route function that returns raw paths cannot
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
// failure rate must be below it. See [report.RouteReadiness].
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

// DefaultMinCoverage is the share of a route's sampled requests that must
// have been compared for it to be ready ([WithMinCoverage]).
const DefaultMinCoverage = 0.95

// WithMinCoverage sets the share of a route's sampled requests that must
// have been compared (a match, a mismatch or a shadow error) for the route
// to be ready for the cutover (default [DefaultMinCoverage]): requests that
// were dropped, skipped, timed out or transient say nothing about
// correctness, and a route whose hard cases are never compared must not
// look ready. See [report.RouteReadiness].Coverage.
func WithMinCoverage(fraction float64) Option {
	if !(fraction > 0 && fraction <= 1) {
		panic(fmt.Sprintf("telemetry: WithMinCoverage(%g): the minimum coverage is a fraction above 0 and at most 1, such as 0.95", fraction))
	}
	return optionFunc(func(c *config) { c.minCoverage = fraction })
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
// Diff.Shadow) into span events, log lines and the report for every
// comparator. They are left out by default, but for a result whose
// comparator was built with comparator.ShowValues (Result.ValuesShown),
// which is the one option to set in development: the comparators of package
// comparator redact values unless told to show them. Values may hold
// personal data.
func WithDiffValues() Option {
	return optionFunc(func(c *config) { c.diffValues = true })
}

// showsValues reports whether the values of res's differences are shown.
func (c config) showsValues(res comparator.Result) bool {
	return c.diffValues || res.ValuesShown
}

// WithEntityKeysShown puts Event.EntityKey as it is on shadow spans and
// mismatch log lines. By default the key is redacted to a short stable hash
// ("#" and 8 hex digits of its SHA-256): equal keys show the same hash, so
// occurrences of one entity can be grouped, but the key itself stays in the
// process. Entity keys never become metric attributes.
func WithEntityKeysShown() Option {
	return optionFunc(func(c *config) { c.entityKeys = true })
}

// WithTraceURL turns the trace ids on the report page into links: template
// is a URL with the placeholder {trace_id}, such as Jaeger's
// "http://localhost:16686/trace/{trace_id}" (the package documentation has
// a Grafana Tempo example).
func WithTraceURL(template string) Option {
	if !strings.Contains(template, traceIDPlaceholder) {
		panic(fmt.Sprintf("telemetry: WithTraceURL(%q): the template needs the placeholder %s, as in http://localhost:16686/trace/%s",
			template, traceIDPlaceholder, traceIDPlaceholder))
	}
	return optionFunc(func(c *config) { c.traceURL = template })
}

// traceIDPlaceholder is what WithTraceURL replaces with a trace id.
const traceIDPlaceholder = "{trace_id}"

// WithRoutes declares routes up front, so that every comparison series of
// theirs (each outcome, with its fixed reasons, for both directions
// postgres→dynamodb and dynamodb→postgres) exists at 0 from the start.
// Prometheus ignores the first sample of a series in rate() and increase():
// without the zeros, a route's first event would go uncounted. Declared
// routes count towards [WithMaxRoutes]. Routes seen later get their zeros
// for the direction they are seen in when they are first seen.
func WithRoutes(routes ...string) Option {
	return optionFunc(func(c *config) { c.routes = append(c.routes, routes...) })
}

// WithReadinessWindow sets the sliding window of the windowed readiness
// figure (default one hour). It is kept in 60 time buckets per route and
// direction, so the window moves in steps of a sixtieth of it.
func WithReadinessWindow(d time.Duration) Option {
	if d < verdict.Buckets*time.Second {
		panic(fmt.Sprintf("telemetry: WithReadinessWindow(%v): the window must be at least %v, such as time.Hour", d, verdict.Buckets*time.Second))
	}
	return optionFunc(func(c *config) { c.window = d })
}
