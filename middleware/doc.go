// Package middleware is shadowread's HTTP middleware: it serves each read
// request from the primary store and, for a flag-controlled share of
// requests, runs the same handler against the other store in the background
// and compares the two responses.
//
// A [Shadower] ([New]) wraps handlers as standard
// func(http.Handler) http.Handler middleware, so it mounts on chi, on
// http.ServeMux and on anything else. Mount it per route, so the route
// pattern is known, and close it on shutdown:
//
//	shadow := middleware.New(
//		middleware.WithFlags(flags.New(openfeature.NewClient("catalog"))),
//		middleware.WithComparator(comparator.JSON(comparator.PostgresDynamoDB())),
//		middleware.WithRecorder(telemetry.New(otel.GetTracerProvider(), otel.GetMeterProvider())),
//	)
//	defer shadow.Close(context.Background())
//	r.With(shadow.Handler).Get("/products/{id}", getProduct)
//
// The handler reads from the store that [backends.Router.For] returns for
// the request's context; the middleware sets that context for the primary
// and for the shadow. The user always receives exactly what the primary
// wrote: the shadow runs on a detached copy of the request with its own
// timeout ([WithTimeout]), in one of [WithMaxConcurrent] slots (dropped,
// never queued, when all are busy), and its panics, errors and slowness
// only change the outcome. A mismatch is read again before it counts
// ([WithRecheck]), and [Shadower.Reverify] re-runs the requests behind a
// mismatch after a fix.
//
// The guides: [docs/migration.md] for mounting and what happens to a
// request, [docs/verdicts.md] for outcomes, re-checks, noise and
// re-verification, [docs/comparison.md] for what is compared, and
// [docs/operations.md] for throttling, the latency guard and shutdown.
//
// [docs/migration.md]: https://github.com/shadowread/shadowread/blob/main/docs/migration.md
// [docs/verdicts.md]: https://github.com/shadowread/shadowread/blob/main/docs/verdicts.md
// [docs/comparison.md]: https://github.com/shadowread/shadowread/blob/main/docs/comparison.md
// [docs/operations.md]: https://github.com/shadowread/shadowread/blob/main/docs/operations.md
package middleware
