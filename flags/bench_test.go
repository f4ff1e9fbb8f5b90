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
	shareFlagsFor := func(b *testing.B, enabled bool, share float64, opts ...Option) *Flags {
		client, _ := memClient(b, shareFlags(enabled, 50, "postgres", share))
		f, _, _ := newTestFlags(b, client, opts...)
		return f
	}
	memFlags := func(b *testing.B, enabled bool, opts ...Option) *Flags {
		return shareFlagsFor(b, enabled, 0, opts...)
	}
	sticky := WithTargetingKey(HeaderKey("X-User-Id"))

	b.Run("cached/disabled", func(b *testing.B) { bench(b, memFlags(b, false)) })
	b.Run("cached/random", func(b *testing.B) { bench(b, memFlags(b, true)) })
	b.Run("cached/sticky", func(b *testing.B) { bench(b, memFlags(b, true, sticky)) })
	// The primary share's roll is a second hash of the key, paid only
	// while the share is split (above 0 and below 100).
	b.Run("cached/sticky/share", func(b *testing.B) { bench(b, shareFlagsFor(b, true, 25, sticky)) })
	b.Run("cached/disabled/share", func(b *testing.B) { bench(b, shareFlagsFor(b, false, 25, sticky)) })
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
