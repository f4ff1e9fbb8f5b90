package bench

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/shadowread/shadowread/flags"
)

// BenchmarkDecide times the flag decision alone, at a 10% sample so the
// sampling roll is part of it. Cached mode is what the middleware pays per
// request by default; exact mode evaluates the three flags through the
// OpenFeature client every time, which is what the cache saves.
func BenchmarkDecide(b *testing.B) {
	sticky := flags.WithTargetingKey(flags.HeaderKey("X-User-Id"))
	cases := []struct {
		name string
		opts []flags.Option
	}{
		{name: "cached/memprovider"},
		{name: "cached/sticky/memprovider", opts: []flags.Option{sticky}},
		{name: "exact/memprovider", opts: []flags.Option{sticky, flags.WithExactEvaluation()}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			f := newFlags(b, 10, c.opts...)
			r := userRequest()
			f.Decide(r, route) // the first request of a route fills the cache
			b.ReportAllocs()
			sampled := 0
			for b.Loop() {
				if f.Decide(r, route).Sampled {
					sampled++
				}
			}
			b.ReportMetric(float64(sampled)/float64(b.N), "sampled/op")
		})
	}
}

func userRequest() *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/products/42", nil)
	r.Header.Set("X-User-Id", "user-42")
	return r
}
