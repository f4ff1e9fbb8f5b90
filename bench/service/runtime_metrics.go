package main

import (
	"math"
	"runtime/metrics"
	"slices"
)

// Runtime metrics the harness reads before and after each measured run, to
// tell a service's own garbage collection and scheduling delays apart from
// the machine's.
const (
	metricGCCycles   = "/gc/cycles/total:gc-cycles"
	metricGCCPU      = "/cpu/classes/gc/total:cpu-seconds"
	metricTotalCPU   = "/cpu/classes/total:cpu-seconds"
	metricSchedDelay = "/sched/latencies:seconds"
)

// runtimeStats is the JSON of /debug/runtime: cumulative counters and the
// histogram of how long runnable goroutines waited to run.
type runtimeStats struct {
	GCCycles        uint64    `json:"gc_cycles"`
	GCCPUSeconds    float64   `json:"gc_cpu_seconds"`
	TotalCPUSeconds float64   `json:"total_cpu_seconds"`
	SchedBuckets    []float64 `json:"sched_latency_buckets"` // boundaries in seconds, one more than counts
	SchedCounts     []uint64  `json:"sched_latency_counts"`
}

func readRuntimeStats() runtimeStats {
	samples := []metrics.Sample{{Name: metricGCCycles}, {Name: metricGCCPU}, {Name: metricTotalCPU}, {Name: metricSchedDelay}}
	metrics.Read(samples)
	var s runtimeStats
	if v := samples[0].Value; v.Kind() == metrics.KindUint64 {
		s.GCCycles = v.Uint64()
	}
	if v := samples[1].Value; v.Kind() == metrics.KindFloat64 {
		s.GCCPUSeconds = v.Float64()
	}
	if v := samples[2].Value; v.Kind() == metrics.KindFloat64 {
		s.TotalCPUSeconds = v.Float64()
	}
	if v := samples[3].Value; v.Kind() == metrics.KindFloat64Histogram {
		h := v.Float64Histogram()
		// JSON has no infinities: the open ends become 0 (delays are not
		// negative) and the largest float.
		s.SchedBuckets = slices.Clone(h.Buckets)
		for i, b := range s.SchedBuckets {
			switch {
			case math.IsInf(b, -1):
				s.SchedBuckets[i] = 0
			case math.IsInf(b, 1):
				s.SchedBuckets[i] = math.MaxFloat64
			}
		}
		s.SchedCounts = h.Counts
	}
	return s
}
