package middleware_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/middleware"
	"github.com/shadowread/shadowread/telemetry"
)

// unwrapOnly is the writer of an outer middleware written the way Go
// advises wrappers to be: no optional interface, only Unwrap, so
// http.ResponseController reaches the server's writer through it.
type unwrapOnly struct{ http.ResponseWriter }

func (w unwrapOnly) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// outerUnwrapOnly is an outer middleware that hands the next handler an
// unwrapOnly writer.
func outerUnwrapOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(unwrapOnly{w}, r)
	})
}

// TestHijackNotSupportedThroughUnwrapChain: when nothing in the chain can
// hijack, the handler gets the error it gets without the middleware, and
// the request it then answers normally is compared.
func TestHijackNotSupportedThroughUnwrapChain(t *testing.T) {
	var errs [2]error
	handler := func(i int) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !backends.IsShadow(r.Context()) {
				_, _, errs[i] = http.NewResponseController(w).Hijack()
			}
			sameAnswer(w, r)
		})
	}
	outerUnwrapOnly(handler(0)).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/products/p1", nil))

	rec := newSpy()
	s := newShadower(t, rec)
	user := httptest.NewRecorder()
	outerUnwrapOnly(s.Handler(handler(1))).ServeHTTP(user, httptest.NewRequest(http.MethodGet, "/products/p1", nil))

	if !errors.Is(errs[0], http.ErrNotSupported) {
		t.Fatalf("without the middleware, Hijack returned %v; the test expects ErrNotSupported", errs[0])
	}
	if !errors.Is(errs[1], http.ErrNotSupported) || errs[1].Error() != errs[0].Error() {
		t.Errorf("through the middleware, Hijack returned %v, want %v as without it", errs[1], errs[0])
	}
	if got := user.Body.String(); got != `{"id":"p1","price":12.5}` {
		t.Errorf("user got %q", got)
	}
	if ev := rec.next(t); ev.Outcome != telemetry.Match {
		t.Errorf("outcome = %q/%q, want match: a failed hijack hijacked nothing", ev.Outcome, ev.Reason)
	}
}

// TestFlushThroughUnwrapChain: a flush through http.ResponseController
// behind an outer writer that offers only Unwrap sends the head to the
// client, and the header compared is the one it sent, not one changed after.
func TestFlushThroughUnwrapChain(t *testing.T) {
	rec := newSpy()
	s := newShadower(t, rec, middleware.WithComparator(comparator.JSON(comparator.CompareHeaders("X-Cache"))))
	firstRead := make(chan struct{})
	srv := httptest.NewServer(outerUnwrapOnly(s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Cache", "miss")
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Errorf("Flush through the outer writer and the middleware: %v", err)
		}
		w.Header().Set("X-Cache", "hit") // too late: the head is out
		if !backends.IsShadow(r.Context()) {
			select {
			case <-firstRead: // the client has the head before the handler goes on
			case <-time.After(10 * time.Second):
				t.Error("the flush did not reach the client")
			}
		}
		io.WriteString(w, `{"id":"p1"}`)
	}))))
	defer srv.Close()

	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	close(firstRead)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if got := resp.Header.Get("X-Cache"); got != "miss" {
		t.Errorf("client got X-Cache %q, want miss", got)
	}
	if ev := rec.next(t); ev.Outcome != telemetry.Match {
		t.Errorf("outcome = %q/%q %v, want match: both sides sent X-Cache: miss", ev.Outcome, ev.Reason, ev.Result.Diffs)
	}
}

// TestControllerCallsThroughUnwrapChain: deadlines and full duplex set
// through http.ResponseController behind an outer writer that offers only
// Unwrap reach the server's writer with and without the middleware alike.
func TestControllerCallsThroughUnwrapChain(t *testing.T) {
	calls := func(w http.ResponseWriter) []error {
		rc := http.NewResponseController(w)
		return []error{
			rc.SetReadDeadline(time.Now().Add(time.Minute)),
			rc.SetWriteDeadline(time.Now().Add(time.Minute)),
			rc.EnableFullDuplex(),
		}
	}
	rec := newSpy()
	s := newShadower(t, rec)
	for _, tt := range []struct {
		name    string
		handler func(http.Handler) http.Handler
	}{
		{"without the middleware", func(h http.Handler) http.Handler { return h }},
		{"with the middleware", s.Handler},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(outerUnwrapOnly(tt.handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if !backends.IsShadow(r.Context()) {
					for i, err := range calls(w) {
						if err != nil {
							t.Errorf("call %d: %v, want it to reach the server's writer", i, err)
						}
					}
				}
				sameAnswer(w, r)
			}))))
			defer srv.Close()
			resp, err := http.Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		})
	}
	if ev := rec.next(t); ev.Outcome != telemetry.Match {
		t.Errorf("outcome %s/%s, want match", ev.Outcome, ev.Reason)
	}
}
