package load

import (
	"fmt"
	"math"
	"time"
)

// Schedule is an open-loop arrival schedule: request i is due at
// i/Rate after the start, whatever happened to the requests before it.
// A slow response therefore never delays the next request, and latency is
// measured from the due time, so a stall shows up in every request it
// delays rather than in one (no coordinated omission).
type Schedule struct {
	Rate     float64       // requests per second
	Duration time.Duration // how long requests keep arriving
}

// NewSchedule returns a schedule of rate requests per second for d.
// It panics unless both are positive.
func NewSchedule(rate float64, d time.Duration) Schedule {
	if !(rate > 0) || math.IsInf(rate, 1) || d <= 0 {
		panic(fmt.Sprintf("load: NewSchedule(%v, %v): need a positive, finite rate and a positive duration", rate, d))
	}
	return Schedule{Rate: rate, Duration: d}
}

// Count returns the number of requests in the schedule.
func (s Schedule) Count() int {
	return int(math.Ceil(s.Rate*s.Duration.Seconds() - 1e-9))
}

// Due returns when request i is due, relative to the start.
func (s Schedule) Due(i int) time.Duration {
	return time.Duration(float64(i) * float64(time.Second) / s.Rate)
}
