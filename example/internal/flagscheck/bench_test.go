package flagscheck

import (
	"testing"

	"github.com/open-feature/go-sdk/openfeature"

	"github.com/shadowread/shadowread/flags"
)

// flagdBenchConfig serves shadowing on at 10% with PostgreSQL as primary,
// the same flags the in-memory cases serve.
const flagdBenchConfig = `{
  "flags": {
    "shadowread.enabled": {"state": "ENABLED", "variants": {"on": true}, "defaultVariant": "on"},
    "shadowread.sample-percent": {"state": "ENABLED", "variants": {"share": 10}, "defaultVariant": "share"},
    "shadowread.primary": {"state": "ENABLED", "variants": {"postgres": "postgres"}, "defaultVariant": "postgres"}
  }
}`

// BenchmarkDecide times the flag decision with flagd's file provider next
// to OpenFeature's in-memory provider in the same run, at a 10% sample.
// Cached mode is what the middleware pays per request by default, and does
// not depend on the provider; exact mode evaluates the three flags through
// the OpenFeature client every time, which is where flagd's cost shows.
// The names match package bench's BenchmarkDecide, so make bench reports
// both in one table.
func BenchmarkDecide(b *testing.B) {
	sticky := flags.WithTargetingKey(flags.HeaderKey("X-User-Id"))
	flagdProvider := func(b *testing.B) *openfeature.Client {
		client, _ := flagdClient(b, flagdBenchConfig)
		return client
	}
	memProvider := func(b *testing.B) *openfeature.Client { return memClient(b, 10) }
	cases := []struct {
		name   string
		client func(*testing.B) *openfeature.Client
		opts   []flags.Option
	}{
		{name: "cached/memprovider", client: memProvider},
		{name: "cached/flagd", client: flagdProvider},
		{name: "exact/memprovider", client: memProvider, opts: []flags.Option{sticky, flags.WithExactEvaluation()}},
		{name: "exact/flagd", client: flagdProvider, opts: []flags.Option{sticky, flags.WithExactEvaluation()}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			f := newFlags(b, c.client(b), c.opts...)
			r := request("user-42")
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
