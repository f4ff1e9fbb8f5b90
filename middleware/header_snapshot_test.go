package middleware_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/middleware"
	"github.com/shadowread/shadowread/telemetry"
)

// TestComparedHeaderIsTheOneSent: the comparator gets the primary's header
// as it was when the head went to the user, values and all, and none of the
// changes the handler made after.
func TestComparedHeaderIsTheOneSent(t *testing.T) {
	tests := []struct {
		name    string
		reason  string
		handler func(w http.ResponseWriter)
		want    http.Header
	}{
		{
			name:   "several values",
			reason: "every value of a key is kept, in order",
			handler: func(w http.ResponseWriter) {
				w.Header()["Vary"] = []string{"Accept", "Accept-Encoding"}
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, "{}")
			},
			want: http.Header{"Vary": {"Accept", "Accept-Encoding"}, "Content-Type": {"application/json"}},
		},
		{
			name:   "changed after WriteHeader",
			reason: "a change after the head is sent never reaches the user",
			handler: func(w http.ResponseWriter) {
				w.Header().Set("X-Cache", "miss")
				w.WriteHeader(http.StatusOK)
				w.Header().Set("X-Cache", "hit")
				w.Header().Add("X-Late", "1")
			},
			want: http.Header{"X-Cache": {"miss"}},
		},
		{
			name:   "changed after Flush",
			reason: "a flush sends the head",
			handler: func(w http.ResponseWriter) {
				w.Header().Set("X-Cache", "miss")
				w.(http.Flusher).Flush()
				w.Header().Del("X-Cache")
			},
			want: http.Header{"X-Cache": {"miss"}},
		},
		{
			name:   "nothing written",
			reason: "the header left behind goes out with the implicit 200",
			handler: func(w http.ResponseWriter) {
				w.Header().Set("X-Empty", "yes")
			},
			want: http.Header{"X-Empty": {"yes"}},
		},
		{
			name:    "no header",
			reason:  "an empty header is an empty header, not a missing one",
			handler: func(w http.ResponseWriter) { io.WriteString(w, "{}") },
			want:    http.Header{},
		},
		{
			name:   "nil value",
			reason: "a key with a nil value is kept as Header.Clone keeps it",
			handler: func(w http.ResponseWriter) {
				w.Header()["X-Nil"] = nil
				io.WriteString(w, "{}")
			},
			want: http.Header{"X-Nil": nil},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			headers := make(chan http.Header, 1)
			rec := newSpy()
			s := newShadower(t, rec, middleware.WithComparator(comparator.Func(func(p, _ comparator.Response) comparator.Result {
				headers <- p.Header.Clone()
				return comparator.Result{Equal: true}
			})))
			h := s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if backends.IsShadow(r.Context()) {
					return
				}
				tt.handler(w)
			}))
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/products/p1", nil))
			if ev := rec.next(t); ev.Outcome != telemetry.Match {
				t.Fatalf("outcome %s/%s, want match", ev.Outcome, ev.Reason)
			}
			if got := <-headers; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("comparator got header %v, want %v (%s)", got, tt.want, tt.reason)
			}
		})
	}
}

// TestComparedShadowHeaderIsTheOneSent: the comparator gets the shadow's
// header as it was when its head was "sent", whether or not the handler
// changed it after, and changed back.
func TestComparedShadowHeaderIsTheOneSent(t *testing.T) {
	tests := []struct {
		name    string
		reason  string
		handler func(w http.ResponseWriter)
		want    http.Header
	}{
		{
			name:   "unchanged",
			reason: "the header as the handler left it",
			handler: func(w http.ResponseWriter) {
				w.Header().Set("Content-Type", "application/json")
				w.Header()["Vary"] = []string{"Accept", "Accept-Encoding"}
				io.WriteString(w, "{}")
			},
			want: http.Header{"Content-Type": {"application/json"}, "Vary": {"Accept", "Accept-Encoding"}},
		},
		{
			name:   "changed after WriteHeader",
			reason: "a change after the head is sent is not part of the response",
			handler: func(w http.ResponseWriter) {
				w.Header().Set("X-Cache", "miss")
				w.WriteHeader(http.StatusOK)
				w.Header().Add("X-Cache", "hit")
				w.Header().Set("X-Late", "1")
			},
			want: http.Header{"X-Cache": {"miss"}},
		},
		{
			name:   "edited in place after Write",
			reason: "a value changed in its slice is a change too",
			handler: func(w http.ResponseWriter) {
				w.Header().Set("X-Cache", "miss")
				io.WriteString(w, "{}")
				w.Header()["X-Cache"][0] = "hit"
			},
			want: http.Header{"X-Cache": {"miss"}},
		},
		{
			name:   "removed after Flush",
			reason: "a flush sends the head",
			handler: func(w http.ResponseWriter) {
				w.Header().Set("X-Cache", "miss")
				w.(http.Flusher).Flush()
				w.Header().Del("X-Cache")
			},
			want: http.Header{"X-Cache": {"miss"}},
		},
		{
			name:   "changed and changed back",
			reason: "the header ends as it was sent",
			handler: func(w http.ResponseWriter) {
				w.Header().Set("X-Cache", "miss")
				w.WriteHeader(http.StatusOK)
				w.Header().Set("X-Cache", "hit")
				w.Header().Set("X-Cache", "miss")
			},
			want: http.Header{"X-Cache": {"miss"}},
		},
		{
			name:   "nil value made empty",
			reason: "a nil value and an empty one are told apart, as Header.Clone tells them",
			handler: func(w http.ResponseWriter) {
				w.Header()["X-Nil"] = nil
				w.WriteHeader(http.StatusOK)
				w.Header()["X-Nil"] = []string{}
			},
			want: http.Header{"X-Nil": nil},
		},
		{
			name:    "no header",
			reason:  "an empty header is an empty header, not a missing one",
			handler: func(w http.ResponseWriter) { io.WriteString(w, "{}") },
			want:    http.Header{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			headers := make(chan http.Header, 1)
			rec := newSpy()
			s := newShadower(t, rec, middleware.WithComparator(comparator.Func(func(_, sh comparator.Response) comparator.Result {
				headers <- sh.Header.Clone()
				return comparator.Result{Equal: true}
			})))
			h := s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if backends.IsShadow(r.Context()) {
					tt.handler(w)
				}
			}))
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/products/p1", nil))
			if ev := rec.next(t); ev.Outcome != telemetry.Match {
				t.Fatalf("outcome %s/%s, want match", ev.Outcome, ev.Reason)
			}
			got := <-headers
			if !reflect.DeepEqual(got, tt.want) || (tt.want["X-Nil"] == nil) != (got["X-Nil"] == nil) {
				t.Errorf("comparator got the shadow's header %#v, want %#v (%s)", got, tt.want, tt.reason)
			}
		})
	}
}
