package comparator_test

import (
	"testing"

	"github.com/shadowread/shadowread/comparator"
)

// TestValuesShown: a result says whether its diffs hold values, so telemetry
// shows them with comparator.ShowValues alone.
func TestValuesShown(t *testing.T) {
	p := comparator.Response{Status: 200, Body: []byte(`{"price":12.5}`)}
	s := comparator.Response{Status: 200, Body: []byte(`{"price":12.05}`)}
	tests := []struct {
		name      string
		cmp       comparator.Comparator
		p, s      comparator.Response
		wantShown bool
		wantValue string // Diffs[0].Primary; "" for no diff
		reason    string
	}{
		{"default", comparator.JSON(), p, s, false, "number(#", "values are redacted and the result says so"},
		{"ShowValues", comparator.JSON(comparator.ShowValues()), p, s, true, "12.5", "the values are in the diffs and the result says so"},
		{"ShowValues, equal", comparator.JSON(comparator.ShowValues()), p, p, false, "", "no diff, no value shown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := tt.cmp.Compare(tt.p, tt.s)
			if res.ValuesShown != tt.wantShown {
				t.Errorf("ValuesShown = %v, want %v (%s)", res.ValuesShown, tt.wantShown, tt.reason)
			}
			switch {
			case tt.wantValue == "" && len(res.Diffs) != 0:
				t.Errorf("diffs %v, want none", res.Diffs)
			case tt.wantValue != "" && (len(res.Diffs) == 0 || len(res.Diffs[0].Primary) < len(tt.wantValue) || res.Diffs[0].Primary[:len(tt.wantValue)] != tt.wantValue):
				t.Errorf("diffs %v, want the primary's value to start %q (%s)", res.Diffs, tt.wantValue, tt.reason)
			}
		})
	}
}
