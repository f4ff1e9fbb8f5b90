package verify

import (
	"testing"

	"github.com/shadowread/shadowread/comparator"
)

func TestTriageOf(t *testing.T) {
	diff := func(tr comparator.Triage) comparator.Diff { return comparator.Diff{Hint: comparator.Hint{Triage: tr}} }
	tests := []struct {
		name   string
		diffs  []comparator.Diff
		want   comparator.Triage
		reason string
	}{
		{"none", nil, comparator.TriageNone, "no difference, no triage"},
		{"all representation", []comparator.Diff{diff(comparator.TriageRepresentation)}, comparator.TriageRepresentation, "every difference says the same thing in another form"},
		{"one unknown", []comparator.Diff{diff(comparator.TriageRepresentation), diff(comparator.TriageUnknown)},
			comparator.TriageUnknown, "an unknown difference beside representation ones is never called representation: that would advise hiding it"},
		{"one data loss", []comparator.Diff{diff(comparator.TriageUnknown), diff(comparator.TriageDataLoss)}, comparator.TriageDataLoss, "any data loss makes the finding data loss"},
	}
	for _, tt := range tests {
		if got := triageOf(comparator.Result{Diffs: tt.diffs}); got != tt.want {
			t.Errorf("%s: triageOf = %q, want %q: %s", tt.name, got, tt.want, tt.reason)
		}
	}
}
