package verdict

import (
	"maps"
	"time"
)

// Verdict is what one event contributes to readiness.
type Verdict struct {
	// Compared: the shadow gave an answer the user could have got (match,
	// mismatch, shadow error); Sample: the event counts towards the bound
	// (the compared ones and timeouts); Mismatch and Err: the failures.
	Compared, Sample, Mismatch, Err bool
	// Outcome and Reason name a sampled event that was not compared.
	Outcome, Reason string
}

// NotComparedKey names why sampled events were not compared: an outcome
// label and a reason label.
type NotComparedKey struct {
	Outcome, Reason string
}

// Counts are the readiness counts of a span of events; the zero value
// counts nothing.
type Counts struct {
	Sampled, Compared, Samples, Mismatches, Errors uint64
	// NotCompared counts the sampled events that were not compared, by
	// outcome and reason label: at most a few dozen keys, nil until the
	// first.
	NotCompared map[NotComparedKey]uint64
}

// Add counts v.
func (c *Counts) Add(v Verdict) {
	c.Sampled++
	if v.Compared {
		c.Compared++
	} else {
		if c.NotCompared == nil {
			c.NotCompared = make(map[NotComparedKey]uint64)
		}
		c.NotCompared[NotComparedKey{v.Outcome, v.Reason}]++
	}
	if !v.Sample {
		return
	}
	c.Samples++
	if v.Mismatch {
		c.Mismatches++
	}
	if v.Err {
		c.Errors++
	}
}

func (c *Counts) merge(o Counts) {
	c.Sampled += o.Sampled
	c.Compared += o.Compared
	c.Samples += o.Samples
	c.Mismatches += o.Mismatches
	c.Errors += o.Errors
	for k, n := range o.NotCompared {
		if c.NotCompared == nil {
			c.NotCompared = make(map[NotComparedKey]uint64, len(o.NotCompared))
		}
		c.NotCompared[k] += n
	}
}

// Clone returns a copy that shares no memory with c.
func (c Counts) Clone() Counts {
	c.NotCompared = maps.Clone(c.NotCompared)
	return c
}

// Buckets is the number of time buckets of the sliding window: the window
// moves in steps of a sixtieth of its length (a minute of an hour).
const Buckets = 60

// Window counts verdicts over a sliding window, in a ring of time
// buckets: fixed memory (about 3 KiB, plus the reasons events were not
// compared for) whatever the traffic.
type Window struct {
	width   time.Duration // of one bucket
	buckets [Buckets]bucket
}

type bucket struct {
	index int64 // the bucket's start in widths since the Unix epoch
	Counts
}

// NewWindow returns an empty window of the given length.
func NewWindow(window time.Duration) Window {
	return Window{width: window / Buckets}
}

// Add counts v at now.
func (w *Window) Add(now time.Time, v Verdict) {
	i := now.UnixNano() / int64(w.width)
	b := &w.buckets[(i%Buckets+Buckets)%Buckets] // a clock before 1970 gives negative indexes
	if b.index != i {
		*b = bucket{index: i}
	}
	b.Add(v)
}

// Sum returns the counts of the buckets within the window that ends at now:
// the current bucket and the Buckets-1 before it.
func (w *Window) Sum(now time.Time) Counts {
	i := now.UnixNano() / int64(w.width)
	var c Counts
	for _, b := range w.buckets {
		if b.index > i-Buckets && b.index <= i {
			c.merge(b.Counts)
		}
	}
	return c
}
