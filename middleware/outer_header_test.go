package middleware_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/go-chi/chi/v5"
	chimw "github.com/go-chi/chi/v5/middleware"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/middleware"
	"github.com/shadowread/shadowread/telemetry"
)

// corsStyle sets the headers a CORS middleware sets on every response.
func corsStyle(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Add("Vary", "Origin")
		next.ServeHTTP(w, r)
	})
}

// TestHeadersSetOutsideTheHandlerAreNotCompared: headers that middleware
// outside the shadower set before the handler ran (chi's NoCache and
// SetHeader, a CORS middleware) reach the user but are no difference,
// since the shadow's writer starts without them; what the handler sets,
// adds or overwrites is compared.
func TestHeadersSetOutsideTheHandlerAreNotCompared(t *testing.T) {
	named := comparator.CompareHeaders("Cache-Control", "Vary", "X-Custom")
	tests := []struct {
		name            string
		reason          string
		compare         comparator.Option
		primary, shadow func(h http.Header)
		want            telemetry.Outcome
		diffs           []string
	}{
		{
			name: "handlers set nothing", reason: "every compared header came from outside",
			compare: named, primary: func(http.Header) {}, shadow: func(http.Header) {},
			want: telemetry.Match,
		},
		{
			name: "every header compared", reason: "Expires, Pragma and the CORS headers came from outside too",
			compare: comparator.CompareHeaders(),
			primary: func(h http.Header) { h.Set("Content-Type", "application/json") },
			shadow:  func(h http.Header) { h.Set("Content-Type", "application/json") },
			want:    telemetry.Match,
		},
		{
			name: "same value added to Vary", reason: "only what the handler added after the CORS middleware's Origin is compared",
			compare: named,
			primary: func(h http.Header) { h.Add("Vary", "Accept-Encoding") },
			shadow:  func(h http.Header) { h.Add("Vary", "Accept-Encoding") },
			want:    telemetry.Match,
		},
		{
			name: "different value added to Vary", reason: "a header the handler adds to is the handler's",
			compare: named,
			primary: func(h http.Header) { h.Add("Vary", "Accept-Encoding") },
			shadow:  func(h http.Header) { h.Add("Vary", "Accept-Language") },
			want:    telemetry.Mismatch, diffs: []string{"$header.Vary"},
		},
		{
			name: "handler-set header differs", reason: "what the handler sets is compared as before",
			compare: named,
			primary: func(h http.Header) { h.Set("Cache-Control", "max-age=60") },
			shadow:  func(h http.Header) { h.Set("Cache-Control", "max-age=30") },
			want:    telemetry.Mismatch, diffs: []string{"$header.Cache-Control"},
		},
		{
			name: "outer header overwritten differently", reason: "the handler changed X-Custom, so its value is the handler's",
			compare: named,
			primary: func(h http.Header) { h.Set("X-Custom", "a") },
			shadow:  func(h http.Header) { h.Set("X-Custom", "b") },
			want:    telemetry.Mismatch, diffs: []string{"$header.X-Custom"},
		},
		{
			name: "outer header overwritten by the primary alone", reason: "the user got max-age=60, the shadow's path would send no-cache",
			compare: named,
			primary: func(h http.Header) { h.Set("Cache-Control", "max-age=60") },
			shadow:  func(http.Header) {},
			want:    telemetry.Mismatch, diffs: []string{"$header.Cache-Control"},
		},
		{
			name: "outer header set again to its value", reason: "a handler that sets X-Custom itself sets it on both sides",
			compare: named,
			primary: func(h http.Header) { h.Set("X-Custom", "outer") },
			shadow:  func(h http.Header) { h.Set("X-Custom", "outer") },
			want:    telemetry.Match,
		},
		{
			name: "outer header edited in place", reason: "a value changed in the outer middleware's own slice is the handler's",
			compare: named,
			primary: func(h http.Header) { h["X-Custom"][0] = "a" },
			shadow:  func(h http.Header) { h.Set("X-Custom", "a") },
			want:    telemetry.Match,
		},
		{
			name: "outer header deleted", reason: "the user got no X-Custom, nor would the shadow's path",
			compare: named,
			primary: func(h http.Header) { h.Del("X-Custom") },
			shadow:  func(http.Header) {},
			want:    telemetry.Match,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newSpy()
			s := newShadower(t, rec,
				middleware.WithComparator(comparator.JSON(tt.compare)),
				middleware.WithRecheck(0))
			r := chi.NewRouter()
			r.Use(chimw.NoCache, chimw.SetHeader("X-Custom", "outer"), corsStyle)
			r.With(s.Handler).Get("/products/{id}", func(w http.ResponseWriter, r *http.Request) {
				if backends.IsShadow(r.Context()) {
					tt.shadow(w.Header())
				} else {
					tt.primary(w.Header())
				}
				io.WriteString(w, `{"id":"p1"}`)
			})
			user := httptest.NewRecorder()
			r.ServeHTTP(user, httptest.NewRequest(http.MethodGet, "/products/p1", nil))

			if user.Header().Get("Expires") == "" || user.Header().Get("Access-Control-Allow-Origin") != "*" {
				t.Errorf("the user lost the outer middleware's headers: %v", user.Header())
			}
			ev := rec.next(t)
			var paths []string
			for _, d := range ev.Result.Diffs {
				paths = append(paths, d.Path)
			}
			if ev.Outcome != tt.want || !slices.Equal(paths, tt.diffs) {
				t.Errorf("outcome %s %v, want %s %v (%s)", ev.Outcome, paths, tt.want, tt.diffs, tt.reason)
			}
		})
	}
}

// TestHeadersSetOutsideOnServeMux: the same holds on http.ServeMux, with
// the outer middleware around the mux.
func TestHeadersSetOutsideOnServeMux(t *testing.T) {
	rec := newSpy()
	s := newShadower(t, rec,
		middleware.WithComparator(comparator.JSON(comparator.CompareHeaders("Cache-Control", "Vary", "X-Custom"))),
		middleware.WithRecheck(0))
	mux := http.NewServeMux()
	mux.Handle("GET /products/{id}", s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Accept-Encoding")
		io.WriteString(w, `{"id":"`+r.PathValue("id")+`"}`)
	})))
	srv := httptest.NewServer(chimw.NoCache(chimw.SetHeader("X-Custom", "outer")(corsStyle(mux))))
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/products/p1")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if got := resp.Header.Values("Vary"); !slices.Equal(got, []string{"Origin", "Accept-Encoding"}) {
		t.Errorf("client got Vary %v, want the outer middleware's and the handler's", got)
	}
	if ev := rec.next(t); ev.Outcome != telemetry.Match {
		t.Errorf("outcome %s %v, want match", ev.Outcome, ev.Result.Diffs)
	}
}
