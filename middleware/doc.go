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
//     and keeps a copy of the response up to [WithMaxBodyBytes].
//   - The shadow gets a deep copy of the request taken before the primary
//     ran, detached from the request's cancellation, with its own timeout
//     ([WithTimeout]) and a context for which [backends.IsShadow] is true.
//     It runs in a goroutine that holds one of [WithMaxConcurrent] slots;
//     when every slot is busy the shadow is dropped at once, never queued.
//   - By default the shadow starts after the primary has returned, and
//     only if the primary succeeded; [WithStart] can start it together
//     with the primary for less time skew between the two reads.
//   - The comparator's verdict becomes an outcome (match, mismatch,
//     shadow_error, timeout, dropped, skipped) reported to the recorder.
//
// # Safety
//
// The user always receives exactly what the primary wrote. Nothing the
// shadow does reaches the user: its panics are recovered (as a
// [PanicError] with the stack), its errors and slowness only change the
// outcome, and panics inside the comparator or the recorder are recovered
// too. A panic in the primary propagates unchanged to the user's own
// recoverer. [Shadower.Close] stops new shadows and waits for running ones,
// so no goroutine outlives a server's shutdown.
package middleware
