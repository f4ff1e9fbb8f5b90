package bench

import (
	"net/http"
	"testing"

	"github.com/shadowread/shadowread/backends"
)

// TestNotSampledCases checks that each case of BenchmarkNotSampled takes the
// path its name claims: the handler runs once per request, routed to the
// case's primary, and nothing is shadowed. A case whose flags were not read
// yet would give the safe decision and measure PostgreSQL as primary.
func TestNotSampledCases(t *testing.T) {
	const requests = 50
	for _, c := range notSampledCases() {
		t.Run(c.name, func(t *testing.T) {
			var runs int
			var targets []backends.Name
			rec := &outcomeCounter{}
			h, shadow := c.router(t, rec, func(_ http.ResponseWriter, r *http.Request) {
				runs++
				name, role := backends.Routing(r.Context())
				if role != backends.RolePrimary {
					t.Errorf("the handler ran as %s, want primary (%s)", role, c.reason)
				}
				targets = append(targets, name)
			})
			w := newDiscardWriter()
			r := serverRequest(t)
			for range requests {
				h.ServeHTTP(w, r)
			}
			if runs != requests {
				t.Fatalf("the handler ran %d times for %d requests (%s)", runs, requests, c.reason)
			}
			want := c.primary
			if want == "" {
				want = backends.Postgres // a handler without a Shadower sees no target
			}
			for i, got := range targets {
				if got != want {
					t.Fatalf("request %d routed to %s, want %s (%s)", i, got, want, c.reason)
				}
			}
			if shadow != nil {
				closeShadower(t, shadow)
				if n := rec.total(); n != 0 {
					t.Errorf("%d events recorded for %d requests, want none: no request is sampled (%s)", n, requests, c.reason)
				}
			}
		})
	}
}
