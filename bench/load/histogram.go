package load

import (
	"fmt"
	"math"
	"math/bits"
	"time"
)

// subBucketBits sets the histogram's precision: each power of two is split
// into 2^(subBucketBits-1) linear buckets, so a recorded value is known to
// within 1/64 (1.6%) of itself, and values below 2^subBucketBits
// nanoseconds exactly.
const subBucketBits = 7

const (
	halfBuckets = 1 << (subBucketBits - 1)
	numBuckets  = (64 - subBucketBits + 2) * halfBuckets
)

// Histogram records durations in log-linear buckets, as HdrHistogram does:
// constant relative precision from nanoseconds to hours in a fixed 28 KiB.
// The zero value is empty and ready to use. It is not safe for concurrent
// use.
type Histogram struct {
	counts   []uint64 // allocated on first use
	total    uint64
	sum      float64 // nanoseconds
	min, max time.Duration
}

// Record adds one duration; negative durations count as zero.
func (h *Histogram) Record(d time.Duration) {
	if d < 0 {
		d = 0
	}
	if h.counts == nil {
		h.counts = make([]uint64, numBuckets)
	}
	h.counts[bucketOf(uint64(d))]++
	if h.total == 0 || d < h.min {
		h.min = d
	}
	if d > h.max {
		h.max = d
	}
	h.total++
	h.sum += float64(d)
}

// Merge adds every value recorded in other.
func (h *Histogram) Merge(other *Histogram) {
	if other.total == 0 {
		return
	}
	if h.counts == nil {
		h.counts = make([]uint64, numBuckets)
	}
	for i, c := range other.counts {
		h.counts[i] += c
	}
	if h.total == 0 || other.min < h.min {
		h.min = other.min
	}
	h.max = max(h.max, other.max)
	h.total += other.total
	h.sum += other.sum
}

// Count returns the number of recorded values.
func (h *Histogram) Count() uint64 { return h.total }

// Max returns the largest recorded value, exactly.
func (h *Histogram) Max() time.Duration { return h.max }

// Mean returns the mean of the recorded values, exactly.
func (h *Histogram) Mean() time.Duration {
	if h.total == 0 {
		return 0
	}
	return time.Duration(h.sum / float64(h.total))
}

// Quantile returns the value below or at which a share q (0 to 1) of the
// recorded values fall: the middle of the bucket holding the value of rank
// ceil(q*count), kept within the recorded minimum and maximum. It returns 0
// for an empty histogram.
func (h *Histogram) Quantile(q float64) time.Duration {
	if q < 0 || q > 1 || math.IsNaN(q) {
		panic(fmt.Sprintf("load: Histogram.Quantile(%v): q must be between 0 and 1, such as 0.99", q))
	}
	if h.total == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.total)))
	rank = max(rank, 1)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			lo, hi := bucketBounds(i)
			mid := time.Duration(lo + (hi-lo)/2)
			return min(max(mid, h.min), h.max)
		}
	}
	return h.max
}

// bucketOf returns the bucket of v nanoseconds. Values below
// 2^subBucketBits have a bucket each; above, a value with e more bits
// than that falls into the bucket of its top subBucketBits bits.
func bucketOf(v uint64) int {
	e := bits.Len64(v) - subBucketBits
	if e <= 0 {
		return int(v)
	}
	return e*halfBuckets + int(v>>e)
}

// bucketBounds returns the smallest and largest value of bucket i.
func bucketBounds(i int) (lo, hi uint64) {
	if i < 2*halfBuckets {
		return uint64(i), uint64(i)
	}
	e := i/halfBuckets - 1
	lo = uint64(i-e*halfBuckets) << e
	return lo, lo + (1 << e) - 1
}
