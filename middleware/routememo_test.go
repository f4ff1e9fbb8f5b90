package middleware_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/shadowread/shadowread/flags"
	"github.com/shadowread/shadowread/middleware"
)

// TestRouteNamedPerRequest: the flags get each request's own route name
// when one wrapped handler serves several routes, whichever came first,
// under chi, http.ServeMux and both.
func TestRouteNamedPerRequest(t *testing.T) {
	type request struct{ path, want string }
	tests := []struct {
		name     string
		reason   string
		router   func(wrap func(http.Handler) http.Handler, h http.HandlerFunc) http.Handler
		requests []request
	}{
		{
			name:   "chi group",
			reason: "r.Use in a group wraps each route of the group with its own chain, chi's patterns name the route",
			router: func(wrap func(http.Handler) http.Handler, h http.HandlerFunc) http.Handler {
				r := chi.NewRouter()
				r.Group(func(r chi.Router) {
					r.Use(wrap)
					r.Get("/products/{id}", h)
					r.Get("/orders/{id}", h)
				})
				return r
			},
			requests: []request{{"/products/1", "/products/{id}"}, {"/orders/2", "/orders/{id}"}, {"/products/3", "/products/{id}"}, {"/orders/4", "/orders/{id}"}},
		},
		{
			name:   "chi, one handler mounted twice",
			reason: "the same wrapped handler under two mount points sees two sets of patterns",
			router: func(wrap func(http.Handler) http.Handler, h http.HandlerFunc) http.Handler {
				wrapped := wrap(h)
				r := chi.NewRouter()
				r.Mount("/a", wrapped)
				r.Mount("/b", wrapped)
				return r
			},
			requests: []request{{"/a/1", "/a/*"}, {"/b/2", "/b/*"}, {"/a/3", "/a/*"}},
		},
		{
			name:   "servemux, one handler on two patterns",
			reason: "r.Pattern names the route, whatever the handler saw first",
			router: func(wrap func(http.Handler) http.Handler, h http.HandlerFunc) http.Handler {
				mux := http.NewServeMux()
				wrapped := wrap(h)
				mux.Handle("GET /products/{id}", wrapped)
				mux.Handle("/orders/{id}", wrapped)
				return mux
			},
			requests: []request{{"/products/1", "/products/{id}"}, {"/orders/2", "/orders/{id}"}, {"/products/3", "/products/{id}"}},
		},
		{
			name:   "chi around servemux",
			reason: "one handler under chi's Use on the root and under a ServeMux: RoutePattern finds the chi route first",
			router: func(wrap func(http.Handler) http.Handler, h http.HandlerFunc) http.Handler {
				wrapped := wrap(h)
				mux := http.NewServeMux()
				mux.Handle("GET /plain/{id}", wrapped)
				r := chi.NewRouter()
				r.Use(wrap)
				r.Get("/products/{id}", h)
				root := http.NewServeMux()
				root.Handle("/plain/", mux)
				root.Handle("/", r)
				return root
			},
			requests: []request{{"/plain/1", "/plain/{id}"}, {"/products/2", "/products/{id}"}, {"/plain/3", "/plain/{id}"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			routes := make(chan string, 1)
			decider := flags.DeciderFunc(func(_ *http.Request, route string) flags.Decision {
				routes <- route
				return flags.Safe()
			})
			s := newShadower(t, newSpy(), middleware.WithFlags(decider))
			h := tt.router(s.Handler, func(http.ResponseWriter, *http.Request) {})
			for _, req := range tt.requests {
				h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, req.path, nil))
				select {
				case got := <-routes:
					if got != req.want {
						t.Errorf("%s: route %q, want %q (%s)", req.path, got, req.want, tt.reason)
					}
				default:
					t.Errorf("%s: the flags were not asked (%s)", req.path, tt.reason)
				}
			}
		})
	}
}
