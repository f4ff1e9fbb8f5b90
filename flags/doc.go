// Package flags decides, per request, which backend serves the user, which
// one runs as the shadow and whether the request is shadowed at all.
//
// The middleware asks a [Decider] once per request. [New] builds one from
// [OpenFeature] flags read through an injected [openfeature.IClient];
// [DeciderFunc] adapts a plain function, for tests or a fixed policy:
//
//	decider := flags.New(openfeature.NewClient("catalog"),
//		flags.WithTargetingKey(flags.HeaderKey("X-Customer-ID")))
//	defer decider.Close()
//	shadow := middleware.New(middleware.WithFlags(decider))
//
// The flags are [KeyEnabled], [KeySamplePercent], [KeyPrimary] and
// [KeyPrimaryPercent]. Their evaluation context carries the route pattern
// ([AttrRoute]) and the method ([AttrMethod]), so a provider rule can
// target routes. By default the flags are evaluated once per route and
// method and cached, so a request costs tens of nanoseconds and never
// waits on a refresh; [WithExactEvaluation] evaluates them per
// request, with the targeting key, when the provider must see the user.
// Sampling and the primary share are sticky per [WithTargetingKey].
//
// When the provider fails, the last good decision of each route stands;
// before the first, the safe one: no shadow and the fallback primary,
// PostgreSQL unless [WithFallbackPrimary] says otherwise, which it must
// once PostgreSQL is no longer written.
//
// The guide [docs/flags.md] explains the keys, the cached and exact modes,
// slow providers and outages, sticky sampling and the primary share;
// [docs/migration.md] says which fallback primary each phase needs.
//
// [OpenFeature]: https://openfeature.dev
// [docs/flags.md]: https://github.com/shadowread/shadowread/blob/main/docs/flags.md
// [docs/migration.md]: https://github.com/shadowread/shadowread/blob/main/docs/migration.md
package flags
