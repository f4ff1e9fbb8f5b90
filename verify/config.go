package verify

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/shadowread/shadowread/comparator"
)

// Defaults of a run and of a worker.
const (
	DefaultRangeSize = 1000
	DefaultSegments  = 8
	DefaultLease     = 30 * time.Second
)

// Option configures a [Verifier].
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	rangeSize  int64
	segments   int
	rate       float64
	lease      time.Duration
	poll       time.Duration
	worker     string
	comparator comparator.Comparator
	onProgress func(Progress)
}

func newConfig(opts []Option) config {
	var b [6]byte
	_, _ = rand.Read(b[:])
	c := config{
		rangeSize:  DefaultRangeSize,
		segments:   DefaultSegments,
		lease:      DefaultLease,
		poll:       50 * time.Millisecond,
		worker:     hex.EncodeToString(b[:]),
		comparator: comparator.JSON(comparator.PostgresDynamoDB()),
		onProgress: func(Progress) {},
	}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	return c
}

// WithRangeSize sets the ids per key range of a new run (default
// [DefaultRangeSize]). Smaller ranges compare fewer entities one by one
// per drift; larger ones lease fewer units.
func WithRangeSize(n int) Option {
	if n < 1 {
		panic(fmt.Sprintf("verify: WithRangeSize(%d): a range holds at least one id", n))
	}
	return optionFunc(func(c *config) { c.rangeSize = int64(n) })
}

// WithSegments sets the scan segments of the target of a new run (default
// [DefaultSegments]).
func WithSegments(n int) Option {
	if n < 1 || n > 1_000_000 {
		panic(fmt.Sprintf("verify: WithSegments(%d): a scan has 1 to 1,000,000 segments", n))
	}
	return optionFunc(func(c *config) { c.segments = n })
}

// WithRate bounds what one worker reads, in entities per second on either
// side, so verification cannot starve the service; 0, the default, is no
// bound.
func WithRate(perSecond float64) Option {
	if perSecond < 0 {
		panic(fmt.Sprintf("verify: WithRate(%v): the rate must be 0 (no bound) or positive", perSecond))
	}
	return optionFunc(func(c *config) { c.rate = perSecond })
}

// WithLease sets how long a worker holds a unit before others may take it
// over, as after a crash (default [DefaultLease]). It must exceed the time
// one unit takes.
func WithLease(d time.Duration) Option {
	if d <= 0 {
		panic(fmt.Sprintf("verify: WithLease(%v): the lease must be positive, such as 30*time.Second", d))
	}
	return optionFunc(func(c *config) { c.lease = d })
}

// WithProgress calls fn after every unit the worker finishes, from the
// worker's goroutine. fn must return quickly.
func WithProgress(fn func(Progress)) Option {
	if fn == nil {
		panic("verify: WithProgress(nil): pass a function, or leave the option out")
	}
	return optionFunc(func(c *config) { c.onProgress = fn })
}

// WithComparator sets the comparator entities are compared with (default
// comparator.JSON(comparator.PostgresDynamoDB())). Give it the options the
// shadow middleware has, so one problem has one signature.
func WithComparator(c comparator.Comparator) Option {
	if c == nil {
		panic("verify: WithComparator(nil): pass the middleware's comparator, or leave the option out")
	}
	return optionFunc(func(cfg *config) { cfg.comparator = c })
}
