package load

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestBucketsCoverEveryValueOnce(t *testing.T) {
	// Each bucket starts right after the previous one ends, so every value
	// has exactly one bucket and bucketOf agrees with bucketBounds.
	next := uint64(0)
	for i := range numBuckets {
		lo, hi := bucketBounds(i)
		if lo != next {
			t.Fatalf("bucket %d starts at %d, want %d (right after the previous bucket)", i, lo, next)
		}
		if hi < lo {
			t.Fatalf("bucket %d ends at %d before it starts at %d", i, hi, lo)
		}
		for _, v := range []uint64{lo, hi} {
			if got := bucketOf(v); got != i {
				t.Fatalf("bucketOf(%d) = %d, want %d", v, got, i)
			}
		}
		if hi == 1<<64-1 {
			return
		}
		next = hi + 1
	}
	t.Fatalf("the buckets end at %d, below the largest uint64", next-1)
}

func TestBucketPrecision(t *testing.T) {
	for i := 2 * halfBuckets; i < numBuckets; i++ {
		lo, hi := bucketBounds(i)
		if width := float64(hi-lo+1) / float64(lo); width > 1.0/halfBuckets {
			t.Fatalf("bucket %d [%d, %d] is %.4f of its lower bound wide, want at most 1/%d", i, lo, hi, width, halfBuckets)
		}
	}
}

func TestQuantile(t *testing.T) {
	var h Histogram
	for v := 1; v <= 100; v++ { // exact: small values have a bucket each
		h.Record(time.Duration(v))
	}
	tests := []struct {
		name   string
		reason string
		q      float64
		want   time.Duration
	}{
		{name: "min", reason: "rank 1 is the smallest value", q: 0, want: 1},
		{name: "median", reason: "rank ceil(0.5*100) = 50", q: 0.5, want: 50},
		{name: "p99", reason: "rank 99", q: 0.99, want: 99},
		{name: "p99.9", reason: "rank ceil(99.9) = 100", q: 0.999, want: 100},
		{name: "max", reason: "rank 100", q: 1, want: 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := h.Quantile(tt.q); got != tt.want {
				t.Errorf("Quantile(%v) = %d, want %d (%s)", tt.q, got, tt.want, tt.reason)
			}
		})
	}
}

func TestQuantileAgainstSortedSample(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var h Histogram
	var values []time.Duration
	for range 100_000 {
		// Log-normal-ish latencies from 100 µs to a few hundred ms.
		v := time.Duration(100_000 * (1 + rng.ExpFloat64()*rng.ExpFloat64()*50))
		h.Record(v)
		values = append(values, v)
	}
	slices.Sort(values)
	for _, q := range []float64{0.5, 0.9, 0.99, 0.999} {
		exact := values[int(q*float64(len(values)))-1]
		got := h.Quantile(q)
		if diff := float64(got-exact) / float64(exact); diff > 1.0/halfBuckets || diff < -1.0/halfBuckets {
			t.Errorf("Quantile(%v) = %v, exact %v: off by %.2f%%, want within %.2f%%", q, got, exact, 100*diff, 100.0/halfBuckets)
		}
	}
	if h.Max() != values[len(values)-1] || h.Count() != uint64(len(values)) {
		t.Errorf("Max %v Count %d, want %v and %d", h.Max(), h.Count(), values[len(values)-1], len(values))
	}
}

func TestMerge(t *testing.T) {
	var a, b, want Histogram
	for v := range 1000 {
		d := time.Duration(v) * time.Microsecond
		want.Record(d)
		if v%3 == 0 {
			a.Record(d)
		} else {
			b.Record(d)
		}
	}
	var merged Histogram
	merged.Merge(&a)
	merged.Merge(&b)
	merged.Merge(&Histogram{}) // an empty histogram changes nothing
	for _, q := range []float64{0, 0.5, 0.99, 1} {
		if got, w := merged.Quantile(q), want.Quantile(q); got != w {
			t.Errorf("merged Quantile(%v) = %v, want %v", q, got, w)
		}
	}
	if merged.Count() != want.Count() || merged.Mean() != want.Mean() || merged.Max() != want.Max() {
		t.Errorf("merged count %d mean %v max %v, want %d %v %v",
			merged.Count(), merged.Mean(), merged.Max(), want.Count(), want.Mean(), want.Max())
	}
}

func TestEmptyHistogram(t *testing.T) {
	var h Histogram
	if h.Quantile(0.99) != 0 || h.Mean() != 0 || h.Count() != 0 {
		t.Errorf("empty histogram: p99 %v mean %v count %d, want zeros", h.Quantile(0.99), h.Mean(), h.Count())
	}
}

func TestQuantileRejectsOutOfRange(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Quantile(1.5) did not panic")
		}
	}()
	var h Histogram
	h.Quantile(1.5)
}
