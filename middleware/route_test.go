package middleware_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/flags"
	"github.com/shadowread/shadowread/middleware"
)

// TestRouteUnderMounts: routes below chi's r.Route and Mount are named by
// the full pattern of the route that served, for the flags (which decide
// before the handler runs) and for telemetry, never by the mount's "/api/*".
func TestRouteUnderMounts(t *testing.T) {
	product := func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "product") }
	type shape func(shadow func(http.Handler) http.Handler) http.Handler
	tests := []struct {
		name   string
		router shape
		reason string
	}{
		{"chi r.Route, shadower in the group", func(shadow func(http.Handler) http.Handler) http.Handler {
			r := chi.NewRouter()
			r.Route("/api", func(r chi.Router) {
				r.Use(shadow)
				r.Get("/products/{id}", product)
			})
			return r
		}, "a sub-router's middleware runs before it routes"},
		{"chi Mount of a router", func(shadow func(http.Handler) http.Handler) http.Handler {
			api := chi.NewRouter()
			api.Use(shadow)
			api.Get("/products/{id}", product)
			r := chi.NewRouter()
			r.Mount("/api", api)
			return r
		}, "a mounted router's middleware runs before it routes"},
		{"chi Use on the root, Mount below", func(shadow func(http.Handler) http.Handler) http.Handler {
			api := chi.NewRouter()
			api.Get("/products/{id}", product)
			r := chi.NewRouter()
			r.Use(shadow)
			r.Mount("/api", api)
			return r
		}, "the root router finds the route through its sub-routers"},
		{"ServeMux mounted in chi, prefix stripped", func(shadow func(http.Handler) http.Handler) http.Handler {
			mux := http.NewServeMux()
			mux.Handle("GET /products/{id}", shadow(http.HandlerFunc(product)))
			r := chi.NewRouter()
			r.Mount("/api", http.StripPrefix("/api", mux))
			return r
		}, "the ServeMux's pattern, below the mount point"},
		{"ServeMux mounted in chi, full paths", func(shadow func(http.Handler) http.Handler) http.Handler {
			mux := http.NewServeMux()
			mux.Handle("GET /api/products/{id}", shadow(http.HandlerFunc(product)))
			r := chi.NewRouter()
			r.Mount("/api", mux)
			return r
		}, "a ServeMux pattern that already holds the mount point"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var decided []string
			rec := newSpy()
			s := newShadower(t, rec, middleware.WithFlags(flags.DeciderFunc(func(_ *http.Request, route string) flags.Decision {
				mu.Lock()
				decided = append(decided, route)
				mu.Unlock()
				return flags.Decision{Primary: backends.Postgres, Sampled: true}
			})))
			h := tt.router(s.Handler)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/api/products/p1", nil))
			if w.Body.String() != "product" {
				t.Fatalf("user got %d %q", w.Code, w.Body)
			}
			const want = "/api/products/{id}"
			ev := rec.next(t)
			mu.Lock()
			defer mu.Unlock()
			if len(decided) != 1 || decided[0] != want || ev.Route != want {
				t.Errorf("flags decided with %q, event on %q; want %q (%s)", decided, ev.Route, want, tt.reason)
			}
		})
	}
}

// TestRouteUnderMountsPerRequest: one shadower in front of a mounted
// router names each request by the route that served it, not by the
// first route it saw.
func TestRouteUnderMountsPerRequest(t *testing.T) {
	answer := func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }
	var mu sync.Mutex
	var decided []string
	s := newShadower(t, newSpy(), middleware.WithFlags(flags.DeciderFunc(func(_ *http.Request, route string) flags.Decision {
		mu.Lock()
		decided = append(decided, route)
		mu.Unlock()
		return flags.Decision{Primary: backends.Postgres}
	})))
	api := chi.NewRouter()
	api.Use(s.Handler)
	api.Get("/products/{id}", answer)
	api.Get("/orders/{id}", answer)
	r := chi.NewRouter()
	r.Mount("/api", api)
	for _, path := range []string{"/api/products/p1", "/api/orders/o1", "/api/products/p2"} {
		r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, path, nil))
	}
	want := []string{"/api/products/{id}", "/api/orders/{id}", "/api/products/{id}"}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(decided, want) {
		t.Errorf("routes decided with %q, want %q: below a mount point the route depends on the path", decided, want)
	}
}
