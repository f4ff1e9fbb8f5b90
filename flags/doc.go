// Package flags decides, per request, which backend serves the user, which
// one runs as the shadow and whether the request is shadowed at all.
//
// The middleware asks a [Decider] once per request. [New] builds one from
// three [OpenFeature] flags read through an injected [openfeature.IClient],
// usually an [*openfeature.Client]; [DeciderFunc] adapts a plain function,
// for tests or a fixed policy. A [Decision]'s shadow is always the other
// backend of its primary.
//
// # Flags
//
// [Flags] reads four flags (the keys can be changed with [WithFlagKeys] and
// [WithPrimaryPercentKey]):
//
//   - [KeyEnabled] "shadowread.enabled", bool: shadow reads on or off.
//   - [KeySamplePercent] "shadowread.sample-percent", float from 0 to 100:
//     the share of requests shadowed while enabled, in steps of 0.01.
//   - [KeyPrimary] "shadowread.primary", string "postgres" or "dynamodb":
//     the backend that serves users. The other one is the shadow, so
//     "dynamodb" gives reverse shadowing with PostgreSQL in the background.
//     Case does not matter, and "postgresql" names PostgreSQL too, so
//     "PostgreSQL" and "DynamoDB" work as written in prose.
//   - [KeyPrimaryPercent] "shadowread.primary-percent", float from 0 to 100:
//     while the primary is "postgres", the share of users whose primary is
//     DynamoDB (see Primary share). Optional: a missing flag is 0.
//
// The primary is honoured whether or not shadowing is enabled: the switch
// to DynamoDB can outlive the dark reads. A request is sampled when shadowing
// is enabled and its roll falls under the percentage (see Sticky sampling).
//
// The evaluation context carries the attributes [AttrRoute] (the route
// pattern the middleware passes to [Flags.Decide]) and [AttrMethod], so a
// provider rule can shadow some routes only, and, in exact mode, the
// targeting key from [WithTargetingKey].
//
// # Modes and their trade-off
//
// Evaluating three flags through the OpenFeature client costs about 4 µs and
// 43 allocations with the in-memory provider and about 23 µs and 280
// allocations with flagd in-process; the primary-percent flag is a fourth
// evaluation (70 allocations instead of 58 in this package's in-memory
// benchmark). Paid on every request of a service, most of which are never
// shadowed, that is too much, so there are two modes.
//
// Cached mode, the default, evaluates the flags once per (route, method)
// pair, with the attributes route and method and no targeting key, and keeps
// the result in a map that requests read without locking. A request of a
// known pair costs a map lookup, a few atomic loads and the sampling roll:
// about 30 to 50 ns and no allocation. Cached values are re-read after any
// provider event (ready, configuration changed, error, stale) and every
// refresh interval ([WithRefreshInterval], default 30 s) for providers that
// send no events. The next request of a stale pair starts the re-read in
// the background and, like every request until it ends, keeps the previous
// values: a refresh never makes a request wait. The first request of a new
// pair waits for its evaluation (see Slow providers). Routes are patterns,
// so pairs are few; to survive a route function that returns raw paths, at
// most [WithMaxRoutes] pairs (default [backends.DefaultMaxRoutes], 1,024)
// get entries of their own and all further pairs share one entry evaluated
// with route and method set to [backends.OverflowRoute], the label telemetry
// uses for the same routes. Reaching the cap is reported once.
//
// The catch: cached values are shared by all users of a route, so a provider
// rule on the targeting key (a user list, flagd's "fractional") never sees a
// key in cached mode, and the request's OpenFeature transaction context is
// not used. Per-user sampling still works, through the local sticky roll.
//
// Exact mode ([WithExactEvaluation]) evaluates the three flags on every
// request with the full evaluation context: targeting key, route, method and
// any [WithAttributes]. The provider's own per-user targeting then applies,
// for example a fractional split of the primary switch by user. It costs the
// microseconds above, plus a goroutine, on every request; use it only when
// the flags must see the user.
//
// # Slow providers
//
// Flags never calls the provider on the request's goroutine: a remote
// provider may take hundreds of milliseconds, or hang. Evaluations run in
// goroutines that Flags owns, and a request waits for one at most the
// evaluation timeout ([WithEvaluationTimeout], default
// [DefaultEvaluationTimeout], 5 ms). An in-process provider (memprovider,
// flagd in-process) answers in microseconds, well inside it, so a fresh
// process shadows from its first request. The first request that stops waiting
// is reported to [go.opentelemetry.io/otel.Handle], once per Flags: a remote
// provider may need a longer timeout.
//
// In cached mode only the first requests of a new (route, method) pair wait.
// Past the timeout they get the safe decision (below), which the pair keeps,
// without waiting again, until its evaluation ends in the background. One
// evaluation runs per pair at a time: while it hangs, refreshes of the pair
// start no other.
//
// In exact mode every request waits at most the timeout for its own
// evaluation. Past it, or while 64 evaluations are running already, it gets
// the last decision of its route (possibly made for another user) or the
// safe one before the first.
//
// # Provider outages and the fallback primary
//
// Flags never fails a request and never panics on a flag value. When the
// provider fails, the last good decision of each route stands, so an outage
// never moves reads to another store:
//
//   - a flag that cannot be read (provider erroring or not ready, flag
//     missing or of the wrong type) keeps its last good value: the primary
//     its last primary, the enabled and sample-percent flags the last
//     sample percentage;
//   - a primary that names no backend, or a provider that panics, keeps the
//     whole last decision: the intended direction is unknown;
//   - a percentage that is NaN or negative counts as 0, above 100 as 100.
//
// Before a route's first good read, the values kept are those of the safe
// decision ([SafeFor] the fallback primary, [Flags.Safe]): nothing is
// shadowed and the fallback primary serves the user. It is also what Decide returns after
// [Flags.Close]. The fallback is PostgreSQL unless set with
// [WithFallbackPrimary]; choose it by the phase of the migration:
//
//   - dual writes, dark reads, and the primary switch while the write path
//     still writes PostgreSQL: [backends.Postgres], the default, the store
//     that is complete; [Safe] is this decision;
//   - once the write path stops writing PostgreSQL: [backends.DynamoDB],
//     because PostgreSQL now holds stale data. Deploy it before writes to
//     PostgreSQL stop, so that no process, restarted during a flag outage,
//     can serve reads from the stale store.
//
// A client without a provider (the SDK's no-op provider answers every flag
// with its default) keeps the primary in force: the fallback before the
// first good read. Each problem is passed to
// [go.opentelemetry.io/otel.Handle] as a [*FlagError] (wrapping
// [ErrInvalidValue] for bad values), once per refresh rather than once per
// request. The two that keep Flags from ever shadowing, a client served by
// the no-op provider ([ErrNoProvider]) and a primary that names no backend,
// are reported once when they appear, with the fix, and [Flags.Problem]
// returns them for a status page until they are fixed.
//
// # Sticky sampling
//
// Without [WithTargetingKey], each request is sampled at random. With it,
// the roll of a request is the bucket of its key: the FNV-1a 64-bit hash of
// the sample-percent flag key followed by the targeting key, mixed by the
// murmur3 64-bit finalizer and scaled to 10,000 buckets. A request is
// sampled when its bucket is below the percentage times 100. So a user is
// shadowed on every request or on none; every replica and every restart
// samples the same users; raising the percentage only adds users; and
// services with their own flag keys sample independent sets of users. A
// request whose key is empty is sampled at random. [HeaderKey] reads the key
// from a request header without allocating.
//
// In exact mode the same roll applies the percentage on top of whatever the
// provider decided; to leave the split entirely to the provider (a
// fractional enabled flag), set the percentage to 100.
//
// # Primary share
//
// The primary share moves a route's primary to DynamoDB a share of users at
// a time, as a canary does, at cached-mode cost: the roll is local, the
// same as sticky sampling's but salted with the primary-percent flag key,
// so the users moved and the users shadowed are independent sets. A user
// stays on one store across requests, replicas and restarts, and raising
// the share only adds users. With the primary flag at "dynamodb" every user
// is on DynamoDB whatever the share. The shadow is always the other store,
// so a moved user's sampled reads are compared in the reverse direction. A
// request without a targeting key rolls at random. A rule on the route
// attribute gives each route its own share; a cutover controller moves it
// step by step (package cutover). The roll costs a second hash of the key
// while the share is split, and no allocation.
//
// # Lifetime
//
// [New] starts no goroutine of its own. It registers handlers for the four
// provider events on the client and arms a [time.AfterFunc] timer for the
// refresh interval; the function the runtime runs when it fires only bumps a
// counter and re-arms the timer. Reading the clock on every request instead
// would cost as much as the rest of Decide. Evaluations run in goroutines
// that Flags owns: at most one per cached (route, method) pair and 64 in
// exact mode, each with a context cancelled after 10 s. [Flags.Close]
// removes the handlers, stops the timer, cancels the evaluations still
// running and waits for them to return (a provider that ignores its context
// keeps Close waiting until it answers).
// A Flags that is never closed stays reachable from the client's event
// registry for the life of the process, which is fine for the one Flags a
// service builds at start-up; close any shorter-lived one.
//
// [OpenFeature]: https://openfeature.dev
package flags
