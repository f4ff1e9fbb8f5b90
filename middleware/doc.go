// Package middleware is shadowread's HTTP middleware: it serves each read
// request from the primary store and, for a flag-controlled share of
// requests, runs the same handler against the other store in the background
// and compares the two responses.
//
// # Mounting
//
// A [Shadower] wraps handlers as standard func(http.Handler) http.Handler
// middleware, so it mounts on chi, on http.ServeMux and on anything else:
//
//	shadow := middleware.New(
//		middleware.WithFlags(flags.New(openfeature.NewClient("catalog"))),
//		middleware.WithComparator(comparator.JSON(comparator.PostgresDynamoDB())),
//	)
//	defer shadow.Close(context.Background())
//	r.With(shadow.Handler).Get("/products/{id}", getProduct)
//
// The handler reads from the store that [backends.Router.For] returns for
// the request's context; the middleware sets that context for the primary
// and for the shadow. Mount it per route (chi's r.With or a route group, or
// mux.Handle("GET /products/{id}", shadow.Handler(h))) so the route pattern
// is known; see [RoutePattern]. Put response compression outside it, so
// that the bodies compared are the handler's own.
//
// # What happens to a request
//
//   - The flags decide the primary and whether the request is sampled.
//     Unsampled requests only get the primary's routing: no copy, no
//     goroutine, no allocation while PostgreSQL is primary.
//   - Only GET and HEAD are shadowed unless [WithMethods] lists more.
//   - A sampled request is served by the primary through a writer that
//     passes everything through (Flush, Hijack and ReadFrom keep working)
//     and keeps a copy of the response up to [WithMaxBodyBytes], as the
//     user received it: no body for HEAD, 204 or 304. A file sent through
//     ReadFrom that is larger than the cap still goes out with sendfile.
//     Headers set outside it and left alone by the handler (CORS, NoCache)
//     are not compared: the shadow's writer starts without them.
//   - The primary reads its request body exactly as without the
//     middleware: nothing is read ahead, so Expect: 100-continue and
//     full-duplex handlers work. The bytes it reads are kept (up to the
//     cap) and replayed to the shadow; a body the primary did not read to
//     its end is skipped with reason request_body_unread. Multipart
//     temporary files of either side are removed.
//   - The shadow gets a deep copy of the request taken before the primary
//     ran, detached from the request's cancellation, with its own timeout
//     ([WithTimeout]) and a context for which [backends.IsShadow] is true.
//     It runs in a goroutine that holds one of [WithMaxConcurrent] slots;
//     when every slot is busy the shadow is dropped at once, never queued.
//   - By default the shadow starts after the primary has returned, and
//     only if the primary succeeded; [WithStart] can start it together
//     with the primary for less time skew between the two reads. Then a
//     request with a body starts its shadow once the primary has read the
//     body whole, and a shadow waits for its primary's result no longer
//     than its own timeout (then skipped, reason primary_outlived), so
//     long-lived primaries such as event streams do not hold slots.
//   - A primary whose request context ended before it returned (the user
//     hung up) is cut short: the pair is skipped with reason client_gone.
//
// # Context values
//
// The shadow's context is a copy of the request's, so every value in it is
// shared with the primary: a pointer such as a *User put there by an
// authentication middleware is the same object on both sides. A handler
// that changes it races with a shadow started with the primary, and a
// shadow started afterwards sees the change. Give the shadow its own
// copies with [WithShadowContext].
//
// # Comparison
//
//   - Bodies sent with Content-Encoding: gzip are decoded before they are
//     compared, since two gzip streams of one document differ in bytes.
//     The decoded size is held to the same cap, so a gzip bomb is skipped
//     as too large; a body that is not the gzip it claims is skipped as
//     compare_failed. The user's bytes are never touched.
//   - The comparator's verdict becomes an outcome (match, mismatch,
//     transient, shadow_error, timeout, dropped, skipped) reported to the
//     recorder.
//     Without [WithComparator] the comparator is
//     comparator.JSON(comparator.PostgresDynamoDB()), which absorbs what
//     legitimately differs between the two stores and nothing else.
//
// # Verdicts
//
// A mismatch is worth something only if it is a data problem, and a match
// only if no data problem hides behind it. Nothing is absorbed, excused or
// skipped without evidence from the same request:
//
//   - Re-check ([WithRecheck], on by default, 250ms): a mismatching pair is
//     read again, both sides. It is transient (not a failure, not a clean
//     sample) only when the second reading shows the write that explains
//     it: the shadow's first answer equals the primary's second (a write
//     landed between the reads, reason write_raced) or the shadow's second
//     answer equals the primary's first (the shadow lagged, shadow_lagged).
//     A shadow answer that equals no primary answer is a mismatch, with
//     re-check result repaired when a later write has made the stores agree.
//     [IsRecheck] marks its runs for handlers with side effects.
//   - Noise baseline ([WithNoiseBaseline], off by default): a difference is
//     absorbed only on a field proven nondeterministic in the primary: by
//     the request's own A/A pair (the primary read again right after the
//     user's read, and in every re-check), or else by the route's recent A/A
//     pairs, where it differed in nearly every pair across many entities.
//     Absorbed fields stay listed in [telemetry.Event.Noise].
//   - What was not compared is not a pass: a shadow body over the cap beside
//     a primary body under it is a mismatch on $body_size, and a handler that
//     knows its store is behind for the entity says so with [ShadowBehind]
//     (skipped, which lowers coverage without counting as a failure).
//   - Entity key ([WithEntityKey]): names the entity a sampled request read,
//     so a mismatch can be followed to the item that differs, and tells the
//     noise learner entities apart.
//
// Re-checks and baselines run in the background within the shadow slots:
// requests that are not sampled and the user's path of a sampled request
// do not pay for them.
//
// # Re-verifying a fix
//
// For each open mismatch signature the middleware keeps the last few
// requests behind it ([WithReverifySample], 3 by default; bodies up to
// [MaxReverifyBody]), without their credentials, in the process only.
// After a data repair or a new comparator rule, [Shadower.Reverify] runs
// them again on both stores and reports whether they match now; a
// signature whose requests all match is closed. [Shadower.ReverifyHandler]
// does the same over HTTP (POST only, one at a time, rate-limited), to be
// mounted beside the report page:
//
//	mux.Handle("/debug/shadowread/", rec.ReportHandler())
//	mux.Handle("/debug/shadowread/reverify", shadow.ReverifyHandler())
//
// # Throttling
//
// Shadow reads must not eat the capacity the new table needs for the
// migration's writes. Share one [backends.Throttle] between the DynamoDB
// client (dynamodb.WithThrottle), which notes every throttled call, and the
// middleware ([WithThrottleBackoff]), which then halves the shadow reads
// sent to DynamoDB per window of throttling, down to one in 1,024, and
// doubles them again per quiet window. Sampled requests held back are
// served by the primary alone and reported as dropped with reason
// throttled:
//
//	throttle := backends.NewThrottle(backends.DynamoDB, time.Second)
//	ddb, err := dynamodb.New(ctx, dynamodb.WithThrottle(throttle))
//	// ...
//	shadow := middleware.New(middleware.WithThrottleBackoff(throttle) /* , ... */)
//
// # Latency guard
//
// Shadows share the CPUs with the requests users wait for. With
// [WithLatencyGuard] the middleware watches each route's primary latency
// while shadows run against its latency while none does, and halves the
// route's shadows per window while the first stays above the tolerance,
// doubling them again per window once it does not, like the throttle
// back-off. Held back requests are reported as dropped with reason
// latency_guard; [Shadower.LatencyGuardShare] gives the share let through.
//
// # Safety
//
// The user always receives exactly what the primary wrote. Nothing the
// shadow does reaches the user: its panics are recovered (as a
// [PanicError] with the stack), its errors and slowness only change the
// outcome, and panics inside the comparator or the recorder are recovered
// too; a shadow handler that ends its goroutine with runtime.Goexit is
// recorded once as shadow_error with reason panic. A panic in the primary
// propagates unchanged to the user's own recoverer.
//
// # Shutdown
//
// [Shadower.Close] stops new shadows and waits, within its context, for the
// running ones, so no goroutine outlives a server's shutdown. Re-checks
// still waiting on their delay are given up at once (their first verdict is
// recorded with re-check result dropped); re-checks already reading are
// waited for like shadows. Requests served afterwards go to the primary
// alone; one caught in its primary by Close is reported as skipped with
// reason closed. Close may be called again, and from several goroutines at
// once. With nothing in flight it returns nil, even with a context that is
// already done.
package middleware
