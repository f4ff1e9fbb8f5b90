package exemplar_test

import (
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/telemetry/internal/exemplar"
)

// TestEvictsLeastSeen: at the limit, a new signature evicts the one seen
// least often, and the eviction is counted with its mismatches.
func TestEvictsLeastSeen(t *testing.T) {
	now := time.Now()
	set := exemplar.NewSet(2)
	res := comparator.Result{Diffs: []comparator.Diff{{Path: "price", Field: "price", Kind: comparator.ValueChanged}}}
	for _, sig := range []string{"a", "a", "b", "c"} {
		set.Observe(sig, res, trace.TraceID{}, now, false)
	}
	var kept []string
	for _, s := range set.Report() {
		kept = append(kept, s.Signature)
	}
	if len(kept) != 2 || kept[0] != "a" || kept[1] != "c" || set.EvictedSignatures != 1 || set.EvictedMismatches != 1 {
		t.Errorf("kept %v, evicted %d (%d mismatches); want [a c], 1 (1)", kept, set.EvictedSignatures, set.EvictedMismatches)
	}
}

func TestTriage(t *testing.T) {
	repr := comparator.Diff{Path: "price", Field: "price", Kind: comparator.TypeChanged,
		Hint: comparator.Hint{Triage: comparator.TriageRepresentation, Option: "NumbersAsStrings"}}
	loss := comparator.Diff{Path: "name", Field: "name", Kind: comparator.ValueChanged,
		Hint: comparator.Hint{Triage: comparator.TriageDataLoss}}
	other := comparator.Diff{Path: "id", Field: "id", Kind: comparator.ValueChanged}
	tests := []struct {
		name   string
		diffs  []comparator.Diff
		want   comparator.Triage
		reason string
	}{
		{"representation", []comparator.Diff{repr}, comparator.TriageRepresentation, "every difference says the same in another form"},
		{"data loss wins", []comparator.Diff{repr, loss}, comparator.TriageDataLoss, "one lost value makes the signature data loss"},
		{"unknown", []comparator.Diff{repr, other}, comparator.TriageNone, "a difference without a hint leaves it to a person"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := exemplar.NewSet(1)
			set.Observe("s", comparator.Result{Diffs: tt.diffs}, trace.TraceID{}, time.Now(), false)
			if got := set.Report()[0].Triage; got != tt.want {
				t.Errorf("triage = %q, want %q: %s", got, tt.want, tt.reason)
			}
		})
	}
}
