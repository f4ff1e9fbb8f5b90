package load

import (
	"math"
	"time"
)

// RuntimeStats is what a Go service's runtime did while a variant ran: its
// garbage collection and how long its runnable goroutines waited for a
// thread (runtime/metrics /sched/latencies:seconds).
type RuntimeStats struct {
	GCCycles uint64
	GCCPU    time.Duration // CPU spent on garbage collection
	CPU      time.Duration // all the process's CPU, as the runtime counts it
	// SchedBuckets are the bucket boundaries in seconds, one more than
	// SchedCounts, which count goroutine waits per bucket.
	SchedBuckets []float64
	SchedCounts  []uint64
}

// Add adds o to s; both must have the same buckets or s none yet.
func (s *RuntimeStats) Add(o RuntimeStats) {
	s.GCCycles += o.GCCycles
	s.GCCPU += o.GCCPU
	s.CPU += o.CPU
	if len(s.SchedCounts) == 0 {
		s.SchedBuckets = o.SchedBuckets
		s.SchedCounts = make([]uint64, len(o.SchedCounts))
	}
	for i := range min(len(s.SchedCounts), len(o.SchedCounts)) {
		s.SchedCounts[i] += o.SchedCounts[i]
	}
}

// Sub returns s minus an earlier reading of the same counters.
func (s RuntimeStats) Sub(earlier RuntimeStats) RuntimeStats {
	d := RuntimeStats{
		GCCycles:     s.GCCycles - earlier.GCCycles,
		GCCPU:        s.GCCPU - earlier.GCCPU,
		CPU:          s.CPU - earlier.CPU,
		SchedBuckets: s.SchedBuckets,
		SchedCounts:  make([]uint64, len(s.SchedCounts)),
	}
	for i := range d.SchedCounts {
		d.SchedCounts[i] = s.SchedCounts[i]
		if i < len(earlier.SchedCounts) {
			d.SchedCounts[i] -= earlier.SchedCounts[i]
		}
	}
	return d
}

// SchedQuantile returns the upper bound of the bucket that holds the
// q-quantile of goroutine waits, or 0 without waits.
func (s RuntimeStats) SchedQuantile(q float64) time.Duration {
	var total uint64
	for _, c := range s.SchedCounts {
		total += c
	}
	if total == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(total)))
	var seen uint64
	for i, c := range s.SchedCounts {
		seen += c
		if seen >= max(rank, 1) {
			return time.Duration(s.SchedBuckets[i+1] * float64(time.Second))
		}
	}
	return time.Duration(s.SchedBuckets[len(s.SchedBuckets)-1] * float64(time.Second))
}
