package bound_test

import (
	"testing"

	"github.com/shadowread/shadowread/telemetry/internal/bound"
)

func BenchmarkUpperBound(b *testing.B) {
	for _, c := range []struct {
		name              string
		failures, samples uint64
	}{
		{"1000_with_5", 5, 1000},
		{"1e7_with_1000", 1000, 10_000_000},
		{"1e9_with_10", 10, 1_000_000_000},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				bound.UpperBound(c.failures, c.samples)
			}
		})
	}
}
