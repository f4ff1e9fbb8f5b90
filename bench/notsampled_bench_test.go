package bench

import (
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
	primary backends.Name // "" serves the handler bare
}

// notSampledCases lists, for each router, the bare baseline first and then
// the wrapped cases, so that every wrapped case runs right after the
// baseline it is compared with.
func notSampledCases() []notSampledCase {
	return []notSampledCase{
		{name: "chi/bare", reason: "the baseline of the chi cases"},
		{name: "chi/postgres", reason: "what most requests pay under chi while PostgreSQL serves users", primary: backends.Postgres},
		{name: "chi/dynamodb", reason: "the same once DynamoDB serves users: the request is copied with the target in its context", primary: backends.DynamoDB},
		{name: "servemux/bare", reason: "the baseline of the http.ServeMux cases", mux: true},
		{name: "servemux/postgres", reason: "what most requests pay under http.ServeMux while PostgreSQL serves users", mux: true, primary: backends.Postgres},
		{name: "servemux/dynamodb", reason: "the same once DynamoDB serves users", mux: true, primary: backends.DynamoDB},
	}
}

// BenchmarkNotSampled times a request that the flags ([flags.New], cached
// mode) do not shadow, through chi and through http.ServeMux, with each
// backend as primary, beside the bare router of the same kind. It is what
// every request of a service pays while the middleware is on; with callgrind
// the difference of instruction counts is stable on a busy machine.
func BenchmarkNotSampled(b *testing.B) {
	for _, c := range notSampledCases() {
		b.Run(c.name, func(b *testing.B) {
			h, _ := c.router(b, &outcomeCounter{}, func(http.ResponseWriter, *http.Request) {})
			w := newDiscardWriter()
			r := httptest.NewRequest(http.MethodGet, "/products/42", nil)
			b.ReportAllocs()
			for b.Loop() {
				h.ServeHTTP(w, r)
			}
		})
	}
}

// router returns the case's router serving handler at route, wrapped by a
// Shadower whose flags sample nothing unless the case is bare, and the
// Shadower (nil when bare), which reports to rec.
func (c notSampledCase) router(tb testing.TB, rec *outcomeCounter, handler http.HandlerFunc) (http.Handler, *middleware.Shadower) {
	var s *middleware.Shadower
	wrap := func(h http.Handler) http.Handler { return h }
	if c.primary != "" {
		// One handler serves both stores, as with most services.
		s = newShadower(tb, rec, middleware.WithShadowHandler(nil), middleware.WithFlags(newFlagsWithPrimary(tb, 0, c.primary)))
		wrap = s.Handler
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
