package middleware_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/middleware"
	"github.com/shadowread/shadowread/telemetry"
)

type userKey struct{}

// User is what an authentication middleware puts in the context.
type User struct{ Name string }

// TestShadowContextCopiesValues: context values are shared by pointer
// between the primary and the shadow, unless WithShadowContext copies them.
func TestShadowContextCopiesValues(t *testing.T) {
	copyUser := func(ctx context.Context) context.Context {
		if u, ok := ctx.Value(userKey{}).(*User); ok {
			c := *u
			return context.WithValue(ctx, userKey{}, &c)
		}
		return ctx
	}
	tests := []struct {
		name   string
		opts   []middleware.Option
		want   string
		reason string
	}{
		{"no hook", nil, "changed by the primary", "without a copy, the shadow reads the primary's *User"},
		{"hook copies", []middleware.Option{middleware.WithShadowContext(copyUser)}, "ada", "the shadow has its own *User, taken before the primary ran"},
		{"hook returns nil", []middleware.Option{middleware.WithShadowContext(func(context.Context) context.Context { return nil })},
			"changed by the primary", "nil keeps the request's context"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newSpy()
			s := newShadower(t, rec, tt.opts...)
			// The pair mismatches, as the shadow writes nothing, so the
			// re-check runs the shadow again: only the first run is kept.
			shadowSaw := make(chan string, 1)
			h := s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				u := r.Context().Value(userKey{}).(*User)
				if backends.IsShadow(r.Context()) {
					select {
					case shadowSaw <- u.Name:
					default:
					}
					return
				}
				u.Name = "changed by the primary"
				io.WriteString(w, "ok")
			}))
			req := httptest.NewRequest(http.MethodGet, "/me", nil)
			req = req.WithContext(context.WithValue(req.Context(), userKey{}, &User{Name: "ada"}))
			h.ServeHTTP(httptest.NewRecorder(), req)
			rec.next(t)
			if got := <-shadowSaw; got != tt.want {
				t.Errorf("shadow saw user %q, want %q (%s)", got, tt.want, tt.reason)
			}
		})
	}
}

// TestShadowContextPanic: a panicking hook is the shadow's failure, never
// the user's.
func TestShadowContextPanic(t *testing.T) {
	rec := newSpy()
	s := newShadower(t, rec, middleware.WithShadowContext(func(context.Context) context.Context { panic("bad copy") }))
	w := httptest.NewRecorder()
	s.Handler(http.HandlerFunc(sameAnswer)).ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	if w.Code != http.StatusOK {
		t.Fatalf("user got %d, want 200", w.Code)
	}
	if ev := rec.next(t); ev.Outcome != telemetry.ShadowError || ev.Reason != telemetry.ReasonPanic {
		t.Errorf("outcome %s/%s, want shadow_error/panic", ev.Outcome, ev.Reason)
	}
}
