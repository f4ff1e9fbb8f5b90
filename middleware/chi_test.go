package middleware_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/middleware"
)

// chi resets and reuses a request's routing context once the request is
// served. A shadow reading URL parameters later must see its own request's.
func TestShadowKeepsChiURLParams(t *testing.T) {
	rec := newSpy()
	s := newShadower(t, rec)
	firstDone := make(chan struct{})
	type seen struct{ path, id string }
	shadowSaw := make(chan seen, 2)
	var holdShadows sync.Once
	r := chi.NewRouter()
	r.With(s.Handler).Get("/products/{id}", func(w http.ResponseWriter, r *http.Request) {
		if backends.IsShadow(r.Context()) {
			// Meanwhile chi reuses the first request's routing context for the second.
			holdShadows.Do(func() { <-firstDone })
			shadowSaw <- seen{r.URL.Path, chi.URLParam(r, "id")}
		}
		io.WriteString(w, chi.URLParam(r, "id"))
	})

	r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/products/first", nil))
	r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/products/second", nil))
	close(firstDone)
	for range 2 {
		select {
		case got := <-shadowSaw:
			if want := strings.TrimPrefix(got.path, "/products/"); got.id != want {
				t.Errorf("shadow of %s read id %q, want %q", got.path, got.id, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("shadow did not run within 10s")
		}
	}
	for range 2 {
		if ev := rec.next(t); ev.Route != "/products/{id}" {
			t.Errorf("event on route %q, want /products/{id}", ev.Route)
		}
	}
}

func TestRoutePattern(t *testing.T) {
	seen := make(chan string, 1)
	record := func(w http.ResponseWriter, r *http.Request) { seen <- middleware.RoutePattern(r) }

	withRouter := chi.NewRouter()
	withRouter.With(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { record(w, r); next.ServeHTTP(w, r) })
	}).Get("/products/{id}", func(http.ResponseWriter, *http.Request) {})

	useRouter := chi.NewRouter()
	useRouter.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { record(w, r); next.ServeHTTP(w, r) })
	})
	useRouter.Route("/customers/{customerID}", func(r chi.Router) {
		r.Get("/orders", func(http.ResponseWriter, *http.Request) {})
	})

	mux := http.NewServeMux()
	mux.HandleFunc("GET /orders/{id}", record)

	tests := []struct {
		name    string
		handler http.Handler
		path    string
		want    string
		reason  string
	}{
		{"chi With", withRouter, "/products/42", "/products/{id}", "the pattern is known once chi routed the request"},
		{"chi Use on root", useRouter, "/customers/7/orders", "/customers/{customerID}/orders", "before routing, the pattern is looked up in the router"},
		{"chi Use, no route", useRouter, "/nope", middleware.Unmatched, "a 404 has no pattern"},
		{"ServeMux", mux, "/orders/9", "/orders/{id}", "ServeMux's pattern without its method"},
		{"plain handler", http.HandlerFunc(record), "/x", middleware.Unmatched, "no router, no pattern: never the raw path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.handler.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, tt.path, nil))
			if got := <-seen; got != tt.want {
				t.Errorf("RoutePattern = %q, want %q (%s)", got, tt.want, tt.reason)
			}
		})
	}
}

func TestShadowRequestIsIsolated(t *testing.T) {
	rec := newSpy()
	s := newShadower(t, rec)
	primaryDone := make(chan struct{})
	type view struct {
		header, query, path string
	}
	shadowSaw := make(chan view, 1)
	after := make(chan view, 1)
	h := s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if backends.IsShadow(r.Context()) {
			<-primaryDone
			select { // the first run; the re-check's runs see the same
			case shadowSaw <- view{r.Header.Get("X-Tenant"), r.URL.Query().Get("page"), r.URL.Path}:
			default:
			}
			// The shadow scribbles on its copy; the primary's request must not change.
			r.Header.Set("X-Tenant", "shadow")
			r.URL.Path = "/shadow"
			return
		}
		r.Header.Set("X-Tenant", "primary-rewrote")
		r.URL.RawQuery = url.Values{"page": {"99"}}.Encode()
		io.WriteString(w, "ok")
	}))
	req := httptest.NewRequest(http.MethodGet, "/orders?page=2", nil)
	req.Header.Set("X-Tenant", "acme")
	h.ServeHTTP(httptest.NewRecorder(), req)
	close(primaryDone)
	if got := <-shadowSaw; got != (view{"acme", "2", "/orders"}) {
		t.Errorf("shadow saw %+v, want the request as the client sent it", got)
	}
	rec.next(t)
	after <- view{req.Header.Get("X-Tenant"), req.URL.Query().Get("page"), req.URL.Path}
	if got := <-after; got.header == "shadow" || got.path == "/shadow" {
		t.Errorf("the shadow's changes reached the primary's request: %+v", got)
	}
}
