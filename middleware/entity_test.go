package middleware_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/middleware"
)

func TestEntityKey(t *testing.T) {
	tests := []struct {
		name    string
		sampled bool
		key     func(*http.Request) string
		want    string
		wantRan bool // the key function ran
		reason  string
	}{
		{
			name: "sampled", sampled: true, wantRan: true, want: "p1",
			key:    func(r *http.Request) string { return strings.TrimPrefix(r.URL.Path, "/products/") },
			reason: "a sampled request's event names its entity",
		},
		{
			name: "not sampled", sampled: false, wantRan: false,
			key:    func(r *http.Request) string { return strings.TrimPrefix(r.URL.Path, "/products/") },
			reason: "requests that are not sampled pay nothing for the key",
		},
		{
			name: "key panics", sampled: true, wantRan: true, want: "",
			key:    func(*http.Request) string { panic("no key") },
			reason: "a key function that panics gives no key and never reaches the user",
		},
		{
			name: "no key function", sampled: true, wantRan: false, want: "",
			reason: "nil means no key",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ran, handled, keyAfterHandler atomic.Bool
			var key func(*http.Request) string
			if tt.key != nil {
				key = func(r *http.Request) string {
					ran.Store(true)
					keyAfterHandler.Store(handled.Load())
					return tt.key(r)
				}
			}
			rec := newSpy()
			s := newShadower(t, rec,
				middleware.WithFlags(always(backends.Postgres, tt.sampled)),
				middleware.WithEntityKey(key))
			h := s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if !backends.IsShadow(r.Context()) {
					handled.Store(true)
				}
				io.WriteString(w, `{"id":"p1"}`)
			}))
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/products/p1", nil))
			if w.Code != http.StatusOK || w.Body.String() != `{"id":"p1"}` {
				t.Fatalf("user got %d %q", w.Code, w.Body.String())
			}
			if ran.Load() != tt.wantRan {
				t.Errorf("key function ran: %v, want %v: %s", ran.Load(), tt.wantRan, tt.reason)
			}
			if keyAfterHandler.Load() {
				t.Error("the key function ran after the handler: it must see the request before the handler changes it")
			}
			if !tt.sampled {
				rec.none(t)
				return
			}
			if ev := rec.next(t); ev.EntityKey != tt.want {
				t.Errorf("EntityKey = %q, want %q: %s", ev.EntityKey, tt.want, tt.reason)
			}
		})
	}
}
