package catalog

import (
	"context"
	"testing"
	"testing/synctest"
	"time"
)

// TestRateLimit: reads are paced to the rate, whatever their sizes; no
// bound means no wait.
func TestRateLimit(t *testing.T) {
	tests := []struct {
		name      string
		perSecond float64
		reads     []int
		want      time.Duration
		reason    string
	}{
		{"unbounded", 0, []int{1000, 1000}, 0, "0 is no bound"},
		{"one read", 100, []int{100}, 0, "the first read goes at once"},
		{"paced", 100, []int{100, 50, 10}, 1500 * time.Millisecond, "the third waits for the 150 before it at 100/s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				l := newRateLimit(tt.perSecond)
				start := time.Now()
				for _, n := range tt.reads {
					if err := l.wait(context.Background(), n); err != nil {
						t.Fatal(err)
					}
				}
				if got := time.Since(start); got != tt.want {
					t.Errorf("waited %v, want %v (%s)", got, tt.want, tt.reason)
				}
			})
		})
	}
}
