package bench

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestMiddlewareCases checks that each case of BenchmarkMiddleware takes the
// path its name claims: a benchmark that silently measured the unsampled
// path (a provider not ready yet gives safe decisions) or dropped shadows
// would report a flattering number.
func TestMiddlewareCases(t *testing.T) {
	const requests = 200
	for _, c := range middlewareCases() {
		t.Run(c.name, func(t *testing.T) {
			rec := &outcomeCounter{}
			h, shadow := c.router(t, rec)
			w := newDiscardWriter()
			r := httptest.NewRequest(http.MethodGet, "/products/42", nil)
			for i := range requests {
				w.reset()
				h.ServeHTTP(w, r)
				if w.status != http.StatusOK || w.n != c.body {
					t.Fatalf("request %d: status %d with %d bytes, want 200 with %d (%s)", i, w.status, w.n, c.body, c.reason)
				}
			}
			if shadow == nil {
				return
			}
			closeShadower(t, shadow)
			want := int64(0)
			if c.sampled {
				want = requests
			}
			if got, all := rec.shadowed(), rec.total(); got != want || all != want {
				t.Errorf("%d of %d requests shadowed and compared, %d events in all; want %d and %d (%s)",
					got, requests, all, want, want, c.reason)
			}
		})
	}
}

func TestJSONBody(t *testing.T) {
	for _, size := range []int{kb, 64 * kb, 1000} {
		if got := len(jsonBody(size)); got != size {
			t.Errorf("jsonBody(%d) has %d bytes", size, got)
		}
	}
}
