package bench

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/shadowread/shadowread/telemetry"
)

// TestMiddlewareCases checks that each case of BenchmarkMiddleware takes the
// path its name claims: a benchmark that silently measured the unsampled
// path (a provider not ready yet gives safe decisions), dropped shadows or
// compared bodies the real comparator finds different would report a
// flattering number. Requests end as in the benchmark, with the case's
// settler.
func TestMiddlewareCases(t *testing.T) {
	const requests = 200
	for _, c := range middlewareCases() {
		t.Run(c.name, func(t *testing.T) {
			rec := &outcomeCounter{}
			h, shadow := c.router(t, rec)
			w := newDiscardWriter()
			r := serverRequest(t)
			settle := c.settler(t, rec)
			for i := range requests {
				w.reset()
				h.ServeHTTP(w, r)
				settle()
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
			if got, all := rec.get(telemetry.Match), rec.total(); got != want || all != want {
				t.Errorf("%d of %d requests shadowed and matched, %d events in all; want %d and %d (%s)",
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
		// The real case's shadow body must not take the comparator's
		// byte-equality fast path.
		if body := jsonBody(size); bytes.Equal(equivalentBody(body), body) {
			t.Errorf("equivalentBody(jsonBody(%d)) is the same bytes", size)
		}
	}
}
