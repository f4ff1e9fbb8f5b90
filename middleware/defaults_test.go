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

// TestDefaultComparatorIsThePreset: without WithComparator, what legitimately
// differs between PostgreSQL and DynamoDB is absorbed, and a changed value
// is not.
func TestDefaultComparatorIsThePreset(t *testing.T) {
	tests := []struct {
		name            string
		primary, shadow string
		want            telemetry.Outcome
		reason          string
	}{
		{"timestamp precision", `{"updated_at":"2026-03-01T10:00:00.123456Z"}`, `{"updated_at":"2026-03-01T10:00:00.123Z"}`,
			telemetry.Match, "timestamptz keeps microseconds, items usually milliseconds"},
		{"empty list and missing attribute", `{"id":"p1","tags":[]}`, `{"id":"p1"}`,
			telemetry.Match, "DynamoDB stores no empty list"},
		{"null and missing attribute", `{"id":"p1","note":null}`, `{"id":"p1"}`,
			telemetry.Match, "a NULL column is an absent attribute"},
		{"changed price", `{"id":"p1","price":12.5}`, `{"id":"p1","price":12.6}`,
			telemetry.Mismatch, "the preset never hides a changed value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newSpy()
			s := middleware.New(
				middleware.WithFlags(always(backends.Postgres, true)),
				middleware.WithRecorder(rec),
				middleware.WithRecheck(0))
			t.Cleanup(func() { s.Close(context.Background()) })
			h := s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if backends.IsShadow(r.Context()) {
					io.WriteString(w, tt.shadow)
					return
				}
				io.WriteString(w, tt.primary)
			}))
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/products/p1", nil))
			if ev := rec.next(t); ev.Outcome != tt.want {
				t.Errorf("outcome %q (diffs %v), want %q: %s", ev.Outcome, ev.Result.Diffs, tt.want, tt.reason)
			}
		})
	}
}
