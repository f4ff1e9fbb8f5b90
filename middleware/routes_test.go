package middleware_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/go-chi/chi/v5"
	"go.opentelemetry.io/otel"

	"github.com/shadowread/shadowread/middleware"
)

func TestRouteSelection(t *testing.T) {
	tests := []struct {
		name     string
		opts     []middleware.Option
		path     string
		shadowed bool
		reason   string
	}{
		{"store route", nil, "/products/p1", true, "a read route is shadowed by default"},
		{"health check", nil, "/healthz", false, "health checks read no store: skipped by default"},
		{"report page", nil, "/debug/shadowread/", false, "the report page is never shadowed by default"},
		{"metrics", nil, "/metrics", false, "metrics read no store"},
		{"skip nothing", []middleware.Option{middleware.WithSkipRoutes()}, "/healthz", true, "WithSkipRoutes() shadows every route"},
		{"only products", []middleware.Option{middleware.WithRoutes("/products/*")}, "/orders/o1", false, "a route outside WithRoutes is not shadowed"},
		{"only products, a product", []middleware.Option{middleware.WithRoutes("/products/*")}, "/products/p1", true, "a route inside WithRoutes is"},
		{"exact route", []middleware.Option{middleware.WithRoutes("/orders/{id}")}, "/orders/o1", true, "an exact route name matches"},
		{"own skip list", []middleware.Option{middleware.WithSkipRoutes("/orders/{id}")}, "/orders/o1", false, "a route the user skips"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newSpy()
			s := newShadower(t, rec, tt.opts...)
			r := chi.NewRouter()
			r.Use(s.Handler) // on the root: every route passes through it
			ok := http.HandlerFunc(sameAnswer)
			r.Get("/products/{id}", ok)
			r.Get("/orders/{id}", ok)
			r.Get("/healthz", ok)
			r.Get("/metrics", ok)
			r.Get("/debug/shadowread/*", ok)
			w := httptest.NewRecorder()
			r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, tt.path, nil))
			if w.Code != http.StatusOK {
				t.Fatalf("GET %s = %d", tt.path, w.Code)
			}
			if tt.shadowed {
				rec.next(t)
			} else if s.InFlight() != 0 || rec.startedCount() != 0 {
				t.Errorf("GET %s started a shadow: %s", tt.path, tt.reason)
			}
			rec.none(t)
		})
	}
}

func TestWithRoutesNeedsARoute(t *testing.T) {
	defer func() {
		if p := recover(); p == nil || !strings.Contains(p.(string), "WithRoutes") {
			t.Errorf("panic %v, want one naming WithRoutes", p)
		}
	}()
	middleware.WithRoutes()
}

// TestUnmatchedWarnsOnce: a ServeMux wrapped whole gives every request the
// route name "unmatched"; the middleware says so once, naming the fix.
func TestUnmatchedWarnsOnce(t *testing.T) {
	var mu sync.Mutex
	var warnings []error
	defer otel.SetErrorHandler(otel.GetErrorHandler())
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		mu.Lock()
		warnings = append(warnings, err)
		mu.Unlock()
	}))
	rec := newSpy()
	s := newShadower(t, rec)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /products/{id}", sameAnswer)
	h := s.Handler(mux) // the router wrapped whole: no route is known
	for range 120 {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/products/p1", nil))
		if ev := rec.next(t); ev.Route != middleware.Unmatched {
			t.Fatalf("route %q, want %q", ev.Route, middleware.Unmatched)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	n := 0
	for _, err := range warnings {
		if strings.Contains(err.Error(), "no route name") {
			n++
			if !strings.Contains(err.Error(), "shadow.Handler") {
				t.Errorf("warning %q does not name the fix", err)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d warnings about unmatched routes, want exactly 1 (all: %v)", n, errors.Join(warnings...))
	}
}
