package flags

import (
	"fmt"
	"net/http"
	"net/textproto"
	"time"

	"go.opentelemetry.io/otel"

	"github.com/shadowread/shadowread/backends"
)

// Default settings of [New].
const (
	// DefaultRefreshInterval is how often cached flag values are re-evaluated
	// when the provider sends no event.
	DefaultRefreshInterval = 30 * time.Second
	// DefaultEvaluationTimeout is how long a request waits for the provider
	// when the flags of its route have never been read (see
	// [WithEvaluationTimeout]). An in-process provider answers in
	// microseconds; a remote one that answers later is read in the background.
	DefaultEvaluationTimeout = 5 * time.Millisecond
)

// Option configures [New].
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// Options is a list of options that is itself an option, so presets compose.
// A nil Option in the list is ignored.
type Options []Option

func (o Options) apply(c *config) {
	for _, opt := range o {
		if opt != nil {
			opt.apply(c)
		}
	}
}

type config struct {
	keys            keys
	targetingKey    func(*http.Request) string
	attributes      func(*http.Request) map[string]any
	exact           bool
	refreshInterval time.Duration
	timeout         time.Duration
	fallback        backends.Name
	maxRoutes       int
	handleError     func(error)
	afterFunc       func(time.Duration, func()) timer
}

// keys are the flag keys read per decision.
type keys struct {
	enabled, samplePercent, primary, primaryPercent string
}

// timer is the part of *time.Timer that the refresh tick uses; tests replace it.
type timer interface {
	Reset(time.Duration) bool
	Stop() bool
}

func newConfig(opts []Option) config {
	c := config{
		keys:            keys{enabled: KeyEnabled, samplePercent: KeySamplePercent, primary: KeyPrimary, primaryPercent: KeyPrimaryPercent},
		refreshInterval: DefaultRefreshInterval,
		timeout:         DefaultEvaluationTimeout,
		fallback:        backends.Postgres,
		maxRoutes:       backends.DefaultMaxRoutes,
		handleError:     otel.Handle,
		afterFunc:       func(d time.Duration, f func()) timer { return time.AfterFunc(d, f) },
	}
	Options(opts).apply(&c)
	c.validate()
	return c
}

func (c *config) validate() {
	if c.attributes != nil && !c.exact {
		panic("flags: WithAttributes needs WithExactEvaluation: cached mode evaluates once per route and method, so per-request attributes would be cached for everyone")
	}
	if c.refreshInterval <= 0 {
		panic("flags: WithRefreshInterval needs a positive duration, e.g. flags.WithRefreshInterval(30*time.Second)")
	}
	if c.timeout <= 0 {
		panic("flags: WithEvaluationTimeout needs a positive duration, e.g. flags.WithEvaluationTimeout(5*time.Millisecond)")
	}
	if !c.fallback.Valid() {
		panic(fmt.Sprintf("flags: WithFallbackPrimary needs %s or %s, e.g. flags.WithFallbackPrimary(backends.DynamoDB), not %q",
			backends.Postgres, backends.DynamoDB, c.fallback))
	}
	if c.maxRoutes < 1 {
		panic("flags: WithMaxRoutes needs at least 1, e.g. flags.WithMaxRoutes(1024)")
	}
	k := c.keys
	if k.enabled == "" || k.samplePercent == "" || k.primary == "" {
		panic("flags: WithFlagKeys needs three non-empty keys, e.g. flags.WithFlagKeys(flags.KeyEnabled, flags.KeySamplePercent, flags.KeyPrimary)")
	}
	if k.enabled == k.samplePercent || k.enabled == k.primary || k.samplePercent == k.primary {
		panic("flags: WithFlagKeys needs three different keys: one flag cannot be a bool, a float and a string at once")
	}
	if k.primaryPercent == "" {
		panic("flags: WithPrimaryPercentKey needs a non-empty key, e.g. flags.WithPrimaryPercentKey(flags.KeyPrimaryPercent)")
	}
	if k.primaryPercent == k.enabled || k.primaryPercent == k.samplePercent || k.primaryPercent == k.primary {
		panic(fmt.Sprintf("flags: WithPrimaryPercentKey needs a key of its own, not %q, which another flag uses: the share and the sampling must roll independently", k.primaryPercent))
	}
}

// WithTargetingKey sets the function that names the subject of a request,
// for example a user or tenant id. With it, sampling is sticky: the same key
// is either always or never sampled at a given percentage (see the package
// documentation). In exact mode it is also the evaluation context's targeting
// key. An empty result counts as no key: that request is sampled at random.
func WithTargetingKey(key func(*http.Request) string) Option {
	if key == nil {
		panic("flags: WithTargetingKey needs a function, e.g. flags.WithTargetingKey(flags.HeaderKey(\"X-User-Id\"))")
	}
	return optionFunc(func(c *config) { c.targetingKey = key })
}

// HeaderKey returns a targeting-key function that reads the first value of
// the request header name. It does not allocate.
func HeaderKey(name string) func(*http.Request) string {
	if name == "" {
		panic("flags: HeaderKey needs a header name, e.g. flags.HeaderKey(\"X-User-Id\")")
	}
	canonical := textproto.CanonicalMIMEHeaderKey(name)
	return func(r *http.Request) string {
		if v := r.Header[canonical]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
}

// WithExactEvaluation evaluates the four flags on every request with the
// full evaluation context (targeting key, route, method and [WithAttributes]),
// so provider-side targeting per user applies. It costs microseconds and
// dozens of allocations per request; see the package documentation.
func WithExactEvaluation() Option {
	return optionFunc(func(c *config) { c.exact = true })
}

// WithAttributes adds attributes to the evaluation context of every request.
// The attributes [AttrRoute] and [AttrMethod] are set by Flags and win over
// attributes of the same name. It requires [WithExactEvaluation].
func WithAttributes(attrs func(*http.Request) map[string]any) Option {
	if attrs == nil {
		panic("flags: WithAttributes needs a function returning the extra attributes")
	}
	return optionFunc(func(c *config) { c.attributes = attrs })
}

// WithRefreshInterval sets how often cached values are re-evaluated even
// without a provider event. The default is [DefaultRefreshInterval].
func WithRefreshInterval(d time.Duration) Option {
	return optionFunc(func(c *config) { c.refreshInterval = d })
}

// WithEvaluationTimeout sets how long a request waits for the provider, at
// most, when its route's flags have never been read; the default is
// [DefaultEvaluationTimeout]. Past it the request gets the safe decision
// (see [WithFallbackPrimary]) while the evaluation finishes in the
// background. A refresh of flags already read never makes a request wait. In
// exact mode ([WithExactEvaluation]) every request waits at most this long;
// past it the request gets the last good decision of its route.
func WithEvaluationTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.timeout = d })
}

// WithFallbackPrimary sets the primary of the safe decision, the one taken
// for a route whose flags have never been read successfully: primary serves
// the user and nothing is shadowed. The default is [backends.Postgres]. Once
// PostgreSQL is no longer written, set [backends.DynamoDB], so that a flag
// outage at start-up cannot serve stale data (see the package documentation
// for the choice at each phase of the migration).
func WithFallbackPrimary(primary backends.Name) Option {
	return optionFunc(func(c *config) { c.fallback = primary })
}

// WithMaxRoutes caps the (route, method) pairs cached separately. The
// default is [backends.DefaultMaxRoutes]; further pairs share one entry
// evaluated with the route and method [backends.OverflowRoute].
func WithMaxRoutes(n int) Option {
	return optionFunc(func(c *config) { c.maxRoutes = n })
}

// WithFlagKeys replaces the flag keys [KeyEnabled], [KeySamplePercent] and
// [KeyPrimary], for example to give each service its own flags.
func WithFlagKeys(enabled, samplePercent, primary string) Option {
	return optionFunc(func(c *config) {
		c.keys.enabled, c.keys.samplePercent, c.keys.primary = enabled, samplePercent, primary
	})
}

// WithPrimaryPercentKey replaces the flag key [KeyPrimaryPercent]. The key
// is also the salt of the share's roll, so services with keys of their own
// move independent sets of users.
func WithPrimaryPercentKey(key string) Option {
	return optionFunc(func(c *config) { c.keys.primaryPercent = key })
}

// withErrorHandler replaces otel.Handle, so tests can see reported problems
// without touching the global error handler.
func withErrorHandler(handle func(error)) Option {
	return optionFunc(func(c *config) { c.handleError = handle })
}

// withAfterFunc replaces time.AfterFunc, so tests can fire the refresh tick.
func withAfterFunc(afterFunc func(time.Duration, func()) timer) Option {
	return optionFunc(func(c *config) { c.afterFunc = afterFunc })
}
