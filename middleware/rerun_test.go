package middleware_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/middleware"
	"github.com/shadowread/shadowread/telemetry"
)

// TestSecondRunsSeeTheRequestUntouched: the re-check's runs get the request
// as the client sent it, though the shadow's first run scribbled on its
// copy: its header, its URL, its path value and chi's routing context.
func TestSecondRunsSeeTheRequestUntouched(t *testing.T) {
	type view struct{ tenant, path, param, pathValue string }
	seen := make(chan view, 8)
	var shadowRuns atomic.Int32
	rec := newSpy()
	s := newShadower(t, rec, middleware.WithRecheck(10*time.Millisecond))
	r := chi.NewRouter()
	r.With(s.Handler).Get("/products/{id}", func(w http.ResponseWriter, r *http.Request) {
		if backends.IsShadow(r.Context()) && shadowRuns.Add(1) == 1 {
			r.Header.Set("X-Tenant", "shadow")
			r.URL.Path = "/shadow"
			r.SetPathValue("id", "shadow")
			chi.RouteContext(r.Context()).URLParams.Values[0] = "shadow"
			io.WriteString(w, "lagging") // a mismatch: the re-check runs both sides again
			return
		}
		select { // the re-check may read each side more than once
		case seen <- view{r.Header.Get("X-Tenant"), r.URL.Path, chi.URLParam(r, "id"), r.PathValue("id")}:
		default:
		}
		io.WriteString(w, "current")
	})
	req := httptest.NewRequest(http.MethodGet, "/products/p1", nil)
	req.Header.Set("X-Tenant", "acme")
	r.ServeHTTP(httptest.NewRecorder(), req)
	if ev := rec.next(t); ev.Outcome != telemetry.Transient {
		t.Fatalf("outcome %s/%s, want transient: the re-check's shadow answers as the primary", ev.Outcome, ev.Reason)
	}
	want := view{"acme", "/products/p1", "p1", "p1"}
	runs := 0
	for done := false; !done; { // the event is recorded once every run has ended
		select {
		case got := <-seen:
			if got != want {
				t.Errorf("run %d saw %+v, want the request as the client sent it, %+v", runs, got, want)
			}
			runs++
		default:
			done = true
		}
	}
	if runs < 3 {
		t.Errorf("%d runs besides the shadow's first, want at least 3: the user's read and the re-check's of each side", runs)
	}
}
