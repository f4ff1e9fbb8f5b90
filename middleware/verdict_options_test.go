package middleware_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/shadowread/shadowread/middleware"
)

// TestVerdictOptionMisuse: the options of re-checks, noise learning, the
// latency guard and re-verification panic at construction with the
// package's prefix and the fix.
func TestVerdictOptionMisuse(t *testing.T) {
	tests := []struct {
		name    string
		build   func()
		wantMsg string
		reason  string
	}{
		{"negative re-check delay", func() { middleware.WithRecheck(-time.Millisecond) }, "use 0 to turn re-checks off",
			"a delay in the past means nothing"},
		{"baseline below 0", func() { middleware.WithNoiseBaseline(-1) }, "percentage from 0 to 100",
			"a share is a percentage"},
		{"baseline above 100", func() { middleware.WithNoiseBaseline(101) }, "percentage from 0 to 100",
			"a share is a percentage"},
		{"baseline NaN", func() { middleware.WithNoiseBaseline(math.NaN()) }, "percentage from 0 to 100",
			"NaN compares false with every bound"},
		{"guard tolerance 1", func() { middleware.WithLatencyGuard(1, time.Second) }, "ratio above 1",
			"a tolerance of 1 backs off on any jitter"},
		{"guard tolerance NaN", func() { middleware.WithLatencyGuard(math.NaN(), time.Second) }, "ratio above 1",
			"NaN compares false with every bound"},
		{"guard window 0", func() { middleware.WithLatencyGuard(1.2, 0) }, "window must be positive",
			"the level steps once per window"},
		{"negative reverify sample", func() { middleware.WithReverifySample(-1) }, "0 keeps no request",
			"a sample size counts requests"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				msg, _ := recover().(string)
				if !strings.HasPrefix(msg, "middleware: ") || !strings.Contains(msg, tt.wantMsg) {
					t.Errorf("panic = %q, want a middleware: panic containing %q: %s", msg, tt.wantMsg, tt.reason)
				}
			}()
			tt.build()
		})
	}
}
