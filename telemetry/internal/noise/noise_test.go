package noise_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/telemetry/internal/noise"
)

// TestSuspicious: a field absorbed between the stores far more often than
// it differs between two primary reads is flagged, once enough
// comparisons were seen; a field that differs as often in A/A pairs is not.
func TestSuspicious(t *testing.T) {
	now := time.Now()
	tab := noise.NewTable()
	for range 20 {
		tab.BaselinePair([]comparator.Diff{{Path: "request_id", Field: "request_id"}}, now)
		tab.Comparison([]string{"request_id", "status"}, now)
	}
	got := map[string]bool{}
	for _, f := range tab.Report() {
		got[f.Field] = f.Suspicious
	}
	if !got["status"] || got["request_id"] {
		t.Errorf("suspicious = %v, want status only", got)
	}
}

func TestEvictsLeastCounted(t *testing.T) {
	now := time.Now()
	tab := noise.NewTable()
	tab.Comparison([]string{"kept"}, now)
	tab.Comparison([]string{"kept"}, now)
	for i := range 32 {
		tab.Comparison([]string{fmt.Sprintf("f%02d", i)}, now)
	}
	if tab.Evicted != 1 || len(tab.Report()) != 32 {
		t.Errorf("evicted %d, kept %d fields; want 1 and 32", tab.Evicted, len(tab.Report()))
	}
	if r := tab.Report(); r[0].Field != "kept" {
		t.Errorf("most absorbed = %q, want the field counted twice", r[0].Field)
	}
}
