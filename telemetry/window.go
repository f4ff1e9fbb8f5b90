package telemetry

import (
	"maps"
	"time"
)

// verdict is what one event contributes to readiness.
type verdict struct {
	// compared: the shadow gave an answer the user could have got (match,
	// mismatch, shadow error); sample: the event counts towards the bound
	// (the compared ones and timeouts); mismatch and err: the failures.
	compared, sample, mismatch, err bool
	// outcome and reason name a sampled event that was not compared.
	outcome Outcome
	reason  Reason
}

// verdictOf returns the readiness contribution of an event with the
// outcome label o and the reason label reason. Every outcome is sampled;
// only match, mismatch and shadow error are compared. A timeout is a
// failure that was never compared; a transient is neither a sample nor a
// failure.
func verdictOf(o Outcome, reason Reason) verdict {
	switch o {
	case Match:
		return verdict{compared: true, sample: true}
	case Mismatch:
		return verdict{compared: true, sample: true, mismatch: true}
	case ShadowError:
		return verdict{compared: true, sample: true, err: true}
	case Timeout:
		return verdict{sample: true, err: true, outcome: o, reason: reason}
	}
	return verdict{outcome: o, reason: reason}
}

// notComparedKey names why sampled events were not compared.
type notComparedKey struct {
	outcome Outcome
	reason  Reason
}

// verdictCounts are the readiness counts of a span of events.
type verdictCounts struct {
	sampled, compared, samples, mismatches, errors uint64
	// notCompared counts the sampled events that were not compared, by
	// outcome and reason label: at most a few dozen keys, nil until the
	// first.
	notCompared map[notComparedKey]uint64
}

func (c *verdictCounts) add(v verdict) {
	c.sampled++
	if v.compared {
		c.compared++
	} else {
		if c.notCompared == nil {
			c.notCompared = make(map[notComparedKey]uint64)
		}
		c.notCompared[notComparedKey{v.outcome, v.reason}]++
	}
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
	c.sampled += o.sampled
	c.compared += o.compared
	c.samples += o.samples
	c.mismatches += o.mismatches
	c.errors += o.errors
	for k, n := range o.notCompared {
		if c.notCompared == nil {
			c.notCompared = make(map[notComparedKey]uint64, len(o.notCompared))
		}
		c.notCompared[k] += n
	}
}

// clone returns a copy that shares no memory with c.
func (c verdictCounts) clone() verdictCounts {
	c.notCompared = maps.Clone(c.notCompared)
	return c
}

// windowBuckets is the number of time buckets of the sliding window: the
// window moves in steps of a sixtieth of its length (a minute of an hour).
const windowBuckets = 60

// windowCounts are verdict counts over a sliding window, in a ring of time
// buckets: fixed memory (about 3 KiB, plus the reasons events were not
// compared for) whatever the traffic.
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
