package middleware

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/flags"
	"github.com/shadowread/shadowread/telemetry"
)

// Defaults, chosen to be safe when the middleware is first switched on in
// production.
const (
	DefaultMaxConcurrent = 64
	DefaultTimeout       = 2 * time.Second
	DefaultMaxBodyBytes  = 1 << 20
)

// Start says when a shadow starts relative to the primary.
type Start int

const (
	// StartAfterPrimary starts the shadow once the primary handler has
	// returned. A primary that fails (5xx, panic) or hijacks the connection
	// never starts a shadow, so the new store sees no load for requests
	// that could not be compared anyway. This is the default.
	StartAfterPrimary Start = iota
	// StartWithPrimary starts the shadow together with the primary. The two
	// reads happen closer in time, so concurrent writes cause fewer false
	// mismatches, at the cost of shadow load for primaries that then fail.
	// The shadow then waits for the primary's result, within its own
	// timeout: a primary still running then (a stream, a long poll) gives
	// outcome "skipped" with reason primary_outlived (no verdict on the
	// shadow) and frees the slot. A request with a body starts
	// its shadow once the primary has read the body, see [WithStart].
	StartWithPrimary
)

// Option configures a [Shadower].
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// Options bundles several options into one.
type Options []Option

func (o Options) apply(c *config) {
	for _, opt := range o {
		if opt != nil {
			opt.apply(c)
		}
	}
}

type config struct {
	decider       flags.Decider
	comparator    comparator.Comparator
	recorder      telemetry.Recorder
	shadowHandler http.Handler
	maxConcurrent int
	timeout       time.Duration
	maxBodyBytes  int64
	methods       map[string]bool
	route         func(*http.Request) string // nil: RoutePattern, through a memo
	start         Start
	throttle      *backends.Throttle // nil: no back-off
	recheckAfter  time.Duration      // 0: no re-check
	entityKey     func(*http.Request) string
	noisePercent  float64 // 0: no noise baseline
	guard         *guardConfig
	// reverifySample is the requests kept per open mismatch signature.
	reverifySample int
	shadowContext  func(context.Context) context.Context
	// onlyRoutes, when set, are the only routes shadowed; skipRoutes are
	// never shadowed.
	onlyRoutes, skipRoutes *routeMatcher
	// noFlags: no WithFlags, so nothing is ever shadowed (see Problem).
	noFlags bool
}

func newConfig(opts []Option) config {
	c := config{
		maxConcurrent: DefaultMaxConcurrent,
		timeout:       DefaultTimeout,
		maxBodyBytes:  DefaultMaxBodyBytes,
		methods:       map[string]bool{http.MethodGet: true, http.MethodHead: true},
		start:         StartAfterPrimary,
		recheckAfter:  DefaultRecheckAfter,

		reverifySample: DefaultReverifySample,
		skipRoutes:     newRouteMatcher(DefaultSkipRoutes),
	}
	Options(opts).apply(&c)
	if c.decider == nil {
		c.noFlags = true
		c.decider = flags.DeciderFunc(func(*http.Request, string) flags.Decision { return flags.Safe() })
	}
	if c.comparator == nil {
		c.comparator = comparator.JSON(comparator.PostgresDynamoDB())
	}
	if c.recorder == nil {
		c.recorder = telemetry.New(nil, nil)
	}
	return c
}

// WithFlags sets the decider that says per request which backend is primary
// and whether the request is shadowed, usually [flags.New]. Without it (or
// with nil) nothing is shadowed and PostgreSQL serves every request, which
// [New] reports once through otel.Handle ([ErrNoFlags]).
func WithFlags(d flags.Decider) Option {
	return optionFunc(func(c *config) { c.decider = d })
}

// WithComparator sets how the two responses are compared. Without it (or with
// nil) the default is comparator.JSON(comparator.PostgresDynamoDB()): the
// JSON comparison with the rules for what legitimately differs between the
// two stores (12.50 and 12.5, microseconds and milliseconds, an empty list
// and a missing attribute).
func WithComparator(cmp comparator.Comparator) Option {
	return optionFunc(func(c *config) { c.comparator = cmp })
}

// WithRecorder sets where outcomes are reported. Without it (or with nil)
// the default is [telemetry.New] on the global OpenTelemetry providers.
func WithRecorder(r telemetry.Recorder) Option {
	return optionFunc(func(c *config) { c.recorder = r })
}

// WithShadowHandler makes h the DynamoDB read path, for services whose
// DynamoDB reads are a separate handler: the wrapped handler then serves
// PostgreSQL and h serves DynamoDB, in whichever role the flags give each.
// While PostgreSQL is primary, h runs as the shadow; once the primary flag
// names DynamoDB, h serves users and the wrapped handler is the shadow, in
// every start mode and in re-checks. Nil means the wrapped handler serves
// both stores.
func WithShadowHandler(h http.Handler) Option {
	return optionFunc(func(c *config) { c.shadowHandler = h })
}

// WithMaxConcurrent bounds the shadows running at once (default 64). A
// sampled request that finds every slot busy is not shadowed: outcome
// "dropped". It panics if n < 1.
func WithMaxConcurrent(n int) Option {
	if n < 1 {
		panic(fmt.Sprintf("middleware: WithMaxConcurrent(%d): need at least 1 slot; to stop shadowing, turn the shadowread.enabled flag off", n))
	}
	return optionFunc(func(c *config) { c.maxConcurrent = n })
}

// WithTimeout bounds each shadow execution (default 2s). A shadow still
// running then gets outcome "timeout". It panics if d <= 0.
func WithTimeout(d time.Duration) Option {
	if d <= 0 {
		panic(fmt.Sprintf("middleware: WithTimeout(%v): a shadow needs a positive timeout, such as 2*time.Second", d))
	}
	return optionFunc(func(c *config) { c.timeout = d })
}

// WithMaxBodyBytes caps how much of each response body (and of the request
// body the primary reads, which the shadow replays) is held for comparison
// (default 1 MiB).
// Larger bodies are served untouched but not compared: outcome "skipped".
// It panics if n < 1.
func WithMaxBodyBytes(n int64) Option {
	if n < 1 {
		panic(fmt.Sprintf("middleware: WithMaxBodyBytes(%d): the cap must be positive, such as 1<<20", n))
	}
	return optionFunc(func(c *config) { c.maxBodyBytes = n })
}

// WithMethods sets the HTTP methods that may be shadowed (default GET and
// HEAD). List an unsafe method such as POST only for handlers that read,
// like a search endpoint: the shadow runs the handler a second time.
// It panics if no method is given.
func WithMethods(methods ...string) Option {
	if len(methods) == 0 {
		panic("middleware: WithMethods needs at least one method, such as http.MethodGet")
	}
	set := make(map[string]bool, len(methods))
	for _, m := range methods {
		set[m] = true
	}
	return optionFunc(func(c *config) { c.methods = set })
}

// WithRoute sets the function that names a request's route for flags and
// telemetry (default [RoutePattern]). It must return a pattern such as
// "/products/{id}", never a raw path: route names become metric attributes.
// Nil means the default.
func WithRoute(route func(*http.Request) string) Option {
	return optionFunc(func(c *config) {
		if route != nil {
			c.route = route
		}
	})
}

// WithStart says when the shadow starts (default [StartAfterPrimary]).
//
// With [StartWithPrimary], a request that has a body (a POST listed in
// [WithMethods]) starts its shadow as soon as the primary has read the body
// to its end, since the shadow replays the bytes the primary read; if the
// primary returns first, the shadow starts then, as with
// [StartAfterPrimary], and a body it never read whole is not shadowed.
func WithStart(s Start) Option {
	if s != StartAfterPrimary && s != StartWithPrimary {
		panic(fmt.Sprintf("middleware: WithStart(%d): use middleware.StartAfterPrimary or middleware.StartWithPrimary", s))
	}
	return optionFunc(func(c *config) { c.start = s })
}

// WithThrottleBackoff sends fewer shadow reads to a store while it throttles:
// a sampled request whose shadow would read throttle's store goes ahead only
// if [backends.Throttle.Admit] says so, one in two per window of throttling
// and back again per quiet window. The others are served by the primary
// alone, with outcome "dropped" and reason "throttled", so shadow traffic
// cannot eat the capacity the new table needs for its writes and its own
// reads. The store's client must note the throttling on the same throttle
// (dynamodb.WithThrottle). Requests that are not sampled pay nothing for it.
// Nil means no back-off.
func WithThrottleBackoff(throttle *backends.Throttle) Option {
	return optionFunc(func(c *config) { c.throttle = throttle })
}

// WithShadowContext sets a function that gives the shadow the context values
// it runs with. It is called once per shadowed request, in the request's
// goroutine before the primary runs, with a copy of the request's context
// (detached from its cancellation), and returns the context the shadow
// reads; returning nil keeps the copy as it is.
//
// The shadow shares every value in the request's context with the primary:
// a pointer put there by earlier middleware, such as a *User, is the same
// object in both. A primary that changes it races with a shadow started
// together with it, and a shadow that starts afterwards sees the change.
// Copy such values here:
//
//	middleware.WithShadowContext(func(ctx context.Context) context.Context {
//		if u, ok := ctx.Value(userKey{}).(*User); ok {
//			c := *u
//			return context.WithValue(ctx, userKey{}, &c)
//		}
//		return ctx
//	})
//
// If the function panics, the request is served by the primary alone with
// outcome "shadow_error" and reason "panic". Nil means no copy.
func WithShadowContext(shadowContext func(ctx context.Context) context.Context) Option {
	return optionFunc(func(c *config) { c.shadowContext = shadowContext })
}
