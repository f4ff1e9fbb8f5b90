package verdict_test

import (
	"testing"
	"time"

	"github.com/shadowread/shadowread/telemetry/internal/verdict"
)

// TestWindowForgets: the window sums the verdicts of its last length and
// forgets older ones, whatever lies between.
func TestWindowForgets(t *testing.T) {
	start := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	w := verdict.NewWindow(time.Hour)
	w.Add(start, verdict.Verdict{Compared: true, Sample: true, Mismatch: true})
	w.Add(start.Add(30*time.Minute), verdict.Verdict{Outcome: "skipped", Reason: "body_too_large"})
	w.Add(start.Add(30*time.Minute), verdict.Verdict{Compared: true, Sample: true})

	c := w.Sum(start.Add(59 * time.Minute))
	if c.Sampled != 3 || c.Compared != 2 || c.Samples != 2 || c.Mismatches != 1 {
		t.Errorf("within the hour: %+v, want 3 sampled, 2 compared, 2 samples, 1 mismatch", c)
	}
	if n := c.NotCompared[verdict.NotComparedKey{Outcome: "skipped", Reason: "body_too_large"}]; n != 1 {
		t.Errorf("not compared = %v, want the skip", c.NotCompared)
	}
	c = w.Sum(start.Add(61 * time.Minute))
	if c.Sampled != 2 || c.Mismatches != 0 {
		t.Errorf("after the hour: %+v, want the mismatch forgotten", c)
	}
	if c = w.Sum(start.Add(3 * time.Hour)); c.Sampled != 0 {
		t.Errorf("hours later: %+v, want nothing", c)
	}
}

func TestCountsClone(t *testing.T) {
	var c verdict.Counts
	c.Add(verdict.Verdict{Outcome: "dropped"})
	clone := c.Clone()
	c.Add(verdict.Verdict{Outcome: "dropped"})
	if n := clone.NotCompared[verdict.NotComparedKey{Outcome: "dropped"}]; n != 1 {
		t.Errorf("clone counts %d drops after the original counted another, want 1", n)
	}
}
