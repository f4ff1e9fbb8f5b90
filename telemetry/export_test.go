package telemetry

import "time"

// WithClock replaces time.Now for tests of time-dependent behaviour.
func WithClock(now func() time.Time) Option {
	return optionFunc(func(c *config) { c.now = now })
}
