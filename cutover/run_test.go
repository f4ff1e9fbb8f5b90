package cutover

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

// TestRunTicksEveryInterval: Run evaluates at once and then every
// interval, and returns when its context ends.
func TestRunTicksEveryInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		file, ev := flagFile(t), newFakeEvidence(route)
		c := New([]string{route}, ev, file, SoleController(), WithInterval(time.Minute), WithHold(0), WithLogger(quiet))
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- c.Run(ctx) }()
		// At 0, 1 and 2 minutes: the first step, then two promotions.
		time.Sleep(2*time.Minute + time.Second)
		synctest.Wait()
		if got := shares(t, file, route)[route]; got != 25 {
			t.Errorf("share %v after three intervals without a hold, want 25", got)
		}
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Run = %v, want context.Canceled", err)
		}
	})
}
