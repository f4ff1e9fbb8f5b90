package latency

import (
	"math"
	"time"

	"github.com/shadowread/shadowread/telemetry/report"
)

// The latency histogram has fixed logarithmic buckets: 8 per doubling from
// 1 µs to about 134 s. A quantile read from it is within 4.5% of the true
// value, in 1.7 KiB per route and role whatever the traffic.
const (
	latencyBucketsPerDoubling = 8
	latencyDoublings          = 27
	latencyBuckets            = latencyBucketsPerDoubling * latencyDoublings
	latencyFloor              = time.Microsecond
)

// Histogram estimates quantiles of durations in bounded memory; the zero
// value is empty.
type Histogram struct {
	counts   [latencyBuckets]uint64
	count    uint64
	min, max time.Duration
}

// Observe counts d.
func (h *Histogram) Observe(d time.Duration) {
	i := 0
	if d > latencyFloor {
		i = min(int(math.Log2(float64(d)/float64(latencyFloor))*latencyBucketsPerDoubling), latencyBuckets-1)
	}
	h.counts[i]++
	if h.count == 0 || d < h.min {
		h.min = d
	}
	if d > h.max {
		h.max = d
	}
	h.count++
}

// quantile returns an estimate of the q-quantile (0 < q <= 1): the geometric
// middle of the bucket holding it, kept within the observed minimum and
// maximum. It returns 0 without observations.
func (h *Histogram) quantile(q float64) time.Duration {
	if h.count == 0 {
		return 0
	}
	rank := max(uint64(math.Ceil(q*float64(h.count))), 1)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			mid := time.Duration(float64(latencyFloor) * math.Exp2((float64(i)+0.5)/latencyBucketsPerDoubling))
			return min(max(mid, h.min), h.max)
		}
	}
	return h.max
}

// Summary returns the count and the estimated median and 99th percentile.
func (h *Histogram) Summary() report.LatencySummary {
	return report.LatencySummary{Count: h.count, P50: h.quantile(0.50), P99: h.quantile(0.99)}
}
