package flags

import (
	"testing"
)

// BenchmarkDecide compares the modes. The cached cases are the per-request
// cost every request of a service pays; the exact cases are what the cache
// avoids.
func BenchmarkDecide(b *testing.B) {
	const route = "/products/{id}"
	bench := func(b *testing.B, f *Flags) {
		r := request("GET", "user-42")
		f.Decide(r, route) // fill the cache
		b.ReportAllocs()
		for b.Loop() {
			f.Decide(r, route)
		}
	}
	memFlags := func(b *testing.B, enabled bool, opts ...Option) *Flags {
		client, _ := memClient(b, shadowFlags(enabled, 50, "postgres"))
		f, _, _ := newTestFlags(b, client, opts...)
		return f
	}
	sticky := WithTargetingKey(HeaderKey("X-User-Id"))

	b.Run("cached/disabled", func(b *testing.B) { bench(b, memFlags(b, false)) })
	b.Run("cached/random", func(b *testing.B) { bench(b, memFlags(b, true)) })
	b.Run("cached/sticky", func(b *testing.B) { bench(b, memFlags(b, true, sticky)) })
	b.Run("cached/sticky/parallel", func(b *testing.B) {
		f := memFlags(b, true, sticky)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			r := request("GET", "user-42")
			for pb.Next() {
				f.Decide(r, route)
			}
		})
	})
	b.Run("exact/memprovider", func(b *testing.B) { bench(b, memFlags(b, true, sticky, WithExactEvaluation())) })
}
