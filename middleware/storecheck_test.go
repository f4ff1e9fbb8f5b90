package middleware_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/go-chi/chi/v5"
	"go.opentelemetry.io/otel"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/middleware"
)

// storeWarnings collects the warnings about routes that read no store.
func storeWarnings(t *testing.T) func() []string {
	t.Helper()
	var mu sync.Mutex
	var got []string
	prev := otel.GetErrorHandler()
	t.Cleanup(func() { otel.SetErrorHandler(prev) })
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		if strings.Contains(err.Error(), "never asked which store") {
			mu.Lock()
			got = append(got, err.Error())
			mu.Unlock()
		}
	}))
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), got...)
	}
}

func TestRouteReadingNoStoreWarnsOnce(t *testing.T) {
	warnings := storeWarnings(t)
	products := backends.NewRouter(map[backends.Name]string{backends.Postgres: "pg", backends.DynamoDB: "ddb"})
	rec := newSpy()
	s := newShadower(t, rec, middleware.WithSkipRoutes()) // nothing skipped: /status is shadowed
	r := chi.NewRouter()
	r.With(s.Handler).Get("/status", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "up") // reads no store
	})
	r.With(s.Handler).Get("/products/{id}", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "product "+chi.URLParam(r, "id")+" from "+products.For(r.Context()))
	})
	for range 60 {
		for _, path := range []string{"/status", "/products/p1"} {
			r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, path, nil))
			rec.next(t)
		}
	}
	got := warnings()
	if len(got) != 1 {
		t.Fatalf("%d warnings about routes reading no store, want 1 for /status: %q", len(got), got)
	}
	for _, want := range []string{`"/status"`, `WithSkipRoutes("/status")`} {
		if !strings.Contains(got[0], want) {
			t.Errorf("warning %q does not name %s", got[0], want)
		}
	}
}

func TestRouteCheckingOnlyIsShadowStillWarns(t *testing.T) {
	warnings := storeWarnings(t)
	rec := newSpy()
	s := newShadower(t, rec, middleware.WithSkipRoutes())
	h := s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !backends.IsShadow(r.Context()) { // a side effect skipped: no store read
			io.WriteString(w, "")
		}
	}))
	for range 40 {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/ping2", nil))
		rec.next(t)
	}
	if got := warnings(); len(got) != 1 {
		t.Errorf("%d warnings, want 1: asking whether it is a shadow is not asking for a store", len(got))
	}
}

func TestShadowHandlerOfItsOwnIsNotChecked(t *testing.T) {
	warnings := storeWarnings(t)
	rec := newSpy()
	answer := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "same") })
	s := newShadower(t, rec, middleware.WithShadowHandler(answer))
	h := s.Handler(answer)
	for range 40 {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/products/p1", nil))
		rec.next(t)
	}
	if got := warnings(); len(got) != 0 {
		t.Errorf("warnings %q: a handler given for the shadow reads its store without routing", got)
	}
}
