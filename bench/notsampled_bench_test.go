package bench

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/middleware"
)

// notSampledCase is one sub-benchmark of BenchmarkNotSampled.
type notSampledCase struct {
	name    string
	reason  string
	mux     bool          // http.ServeMux instead of chi
	primary backends.Name // the Shadower's primary; "" with no Shadower
	// other wraps the handler in another middleware instead (otelhttp,
	// chi's Logger); nil with the Shadower or bare.
	other func(http.Handler) http.Handler
}

// notSampledCases lists, for each router, the bare baseline first and then
// the wrapped cases, so that every wrapped case runs right after the
// baseline it is compared with, and the middleware users already run
// beside ours.
func notSampledCases() []notSampledCase {
	return []notSampledCase{
		{name: "chi/bare", reason: "the baseline of the chi cases"},
		{name: "chi/postgres", reason: "what most requests pay under chi while PostgreSQL serves users", primary: backends.Postgres},
		{name: "chi/dynamodb", reason: "the same once DynamoDB serves users: the request is copied with the target in its context", primary: backends.DynamoDB},
		{name: "chi/otelhttp", reason: "otelhttp with no-op providers under chi, for comparison", other: otelHTTP},
		{name: "chi/logger", reason: "chi's Logger, for comparison", other: chiLogger},
		{name: "servemux/bare", reason: "the baseline of the http.ServeMux cases", mux: true},
		{name: "servemux/postgres", reason: "what most requests pay under http.ServeMux while PostgreSQL serves users", mux: true, primary: backends.Postgres},
		{name: "servemux/dynamodb", reason: "the same once DynamoDB serves users", mux: true, primary: backends.DynamoDB},
		{name: "servemux/otelhttp", reason: "otelhttp with no-op providers under http.ServeMux, for comparison", mux: true, other: otelHTTP},
		{name: "servemux/logger", reason: "chi's Logger under http.ServeMux, for comparison", mux: true, other: chiLogger},
	}
}

// BenchmarkNotSampled times a request that the flags ([flags.New], cached
// mode) do not shadow, through chi and through http.ServeMux, with each
// backend as primary, beside the bare router of the same kind and beside
// otelhttp and chi's Logger. The request carries the context chain of a
// real server (see serverRequest). It is what every request of a service
// pays while the middleware is on; with callgrind the difference of
// instruction counts is stable on a busy machine.
func BenchmarkNotSampled(b *testing.B) {
	for _, c := range notSampledCases() {
		b.Run(c.name, func(b *testing.B) {
			h, _ := c.router(b, &outcomeCounter{}, func(http.ResponseWriter, *http.Request) {})
			w := newDiscardWriter()
			r := serverRequest(b)
			b.ReportAllocs()
			for b.Loop() {
				h.ServeHTTP(w, r)
			}
		})
	}
}

// serverRequest returns a GET of /products/42 whose context is chained as
// net/http's server chains it: the base context, the server and the local
// address as values, the connection's cancel context and the request's.
// Every lookup in the request context walks this chain, so a request built
// on context.Background would flatter the middleware.
func serverRequest(tb testing.TB) *http.Request {
	ctx := context.WithValue(context.Background(), http.ServerContextKey, &http.Server{})
	ctx = context.WithValue(ctx, http.LocalAddrContextKey, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080})
	ctx, cancelConn := context.WithCancel(ctx)
	ctx, cancelRequest := context.WithCancel(ctx)
	tb.Cleanup(func() {
		cancelRequest()
		cancelConn()
	})
	return httptest.NewRequestWithContext(ctx, http.MethodGet, "/products/42", nil)
}

// router returns the case's router serving handler at route, wrapped by a
// Shadower whose flags sample nothing (or by the case's other middleware)
// unless the case is bare, and the Shadower (nil without one), which
// reports to rec.
func (c notSampledCase) router(tb testing.TB, rec *outcomeCounter, handler http.HandlerFunc) (http.Handler, *middleware.Shadower) {
	var s *middleware.Shadower
	wrap := func(h http.Handler) http.Handler { return h }
	switch {
	case c.primary != "":
		// One handler serves both stores, as with most services.
		s = newShadower(tb, rec, middleware.WithShadowHandler(nil), middleware.WithFlags(newFlagsWithPrimary(tb, 0, c.primary)))
		wrap = s.Handler
	case c.other != nil:
		wrap = c.other
	}
	if c.mux {
		mux := http.NewServeMux()
		mux.Handle("GET "+route, wrap(handler))
		return mux, s
	}
	r := chi.NewRouter()
	r.With(wrap).Get(route, handler)
	return r, s
}
