package telemetry

import "time"

// verdict is what one event contributes to readiness.
type verdict struct {
	sample, mismatch, err bool
}

// verdictOf returns the readiness contribution of an outcome: a sample when
// the shadow gave a verdict, a failure when that verdict was wrong.
func verdictOf(o Outcome) verdict {
	switch o {
	case Match, Transient:
		return verdict{sample: true}
	case Mismatch:
		return verdict{sample: true, mismatch: true}
	case ShadowError, Timeout:
		return verdict{sample: true, err: true}
	}
	return verdict{}
}

// verdictCounts are the readiness counts of a span of events.
type verdictCounts struct {
	samples, mismatches, errors uint64
}

func (c *verdictCounts) add(v verdict) {
	if !v.sample {
		return
	}
	c.samples++
	if v.mismatch {
		c.mismatches++
	}
	if v.err {
		c.errors++
	}
}

func (c *verdictCounts) merge(o verdictCounts) {
	c.samples += o.samples
	c.mismatches += o.mismatches
	c.errors += o.errors
}

// windowBuckets is the number of time buckets of the sliding window: the
// window moves in steps of a sixtieth of its length (a minute of an hour).
const windowBuckets = 60

// windowCounts are verdict counts over a sliding window, in a ring of time
// buckets: fixed memory (about 2 KiB) whatever the traffic.
type windowCounts struct {
	width   time.Duration // of one bucket
	buckets [windowBuckets]windowBucket
}

type windowBucket struct {
	index int64 // the bucket's start in widths since the Unix epoch
	verdictCounts
}

func newWindowCounts(window time.Duration) windowCounts {
	return windowCounts{width: window / windowBuckets}
}

func (w *windowCounts) add(now time.Time, v verdict) {
	if !v.sample {
		return
	}
	i := now.UnixNano() / int64(w.width)
	b := &w.buckets[(i%windowBuckets+windowBuckets)%windowBuckets] // a clock before 1970 gives negative indexes
	if b.index != i {
		*b = windowBucket{index: i}
	}
	b.add(v)
}

// sum returns the counts of the buckets within the window that ends at now:
// the current bucket and the windowBuckets-1 before it.
func (w *windowCounts) sum(now time.Time) verdictCounts {
	i := now.UnixNano() / int64(w.width)
	var c verdictCounts
	for _, b := range w.buckets {
		if b.index > i-windowBuckets && b.index <= i {
			c.merge(b.verdictCounts)
		}
	}
	return c
}
