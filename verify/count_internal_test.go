package verify

import "testing"

// TestRangeLo: ids fall in ranges of size ids from 1; ids below 1, which a
// target can hold, fall in ranges of their own below.
func TestRangeLo(t *testing.T) {
	tests := []struct {
		id, size, want int64
		reason         string
	}{
		{1, 10, 1, "the first id opens the first range"},
		{10, 10, 1, "the last id of the first range"},
		{11, 10, 11, "the next range"},
		{0, 10, -9, "0 is below the first range"},
		{-10, 10, -19, "negative ids floor, not truncate"},
		{7, 1, 7, "ranges of one id"},
	}
	for _, tt := range tests {
		if got := rangeLo(tt.id, tt.size); got != tt.want {
			t.Errorf("rangeLo(%d, %d) = %d, want %d (%s)", tt.id, tt.size, got, tt.want, tt.reason)
		}
	}
}

// TestCanonicalJSON: the same data has the same bytes whatever the member
// order and the way a number is written; different data does not.
func TestCanonicalJSON(t *testing.T) {
	tests := []struct {
		a, b   string
		same   bool
		reason string
	}{
		{`{"a":1,"b":2}`, `{"b":2,"a":1}`, true, "members have no order"},
		{`{"p":12.50}`, `{"p":12.5}`, true, "numbers by value"},
		{`{"p":1.25e1}`, `{"p":12.5}`, true, "exponents too"},
		{`{"p":"12.5"}`, `{"p":12.5}`, false, "a string is not a number"},
		{`[1,2]`, `[2,1]`, false, "arrays keep their order"},
		{`{"p":12.5}`, `{"p":12.51}`, false, "a different value"},
		{`not json`, `not json`, true, "a body that is not JSON is itself"},
	}
	for _, tt := range tests {
		if got := string(canonicalJSON([]byte(tt.a))) == string(canonicalJSON([]byte(tt.b))); got != tt.same {
			t.Errorf("%s and %s: same %v, want %v (%s)", tt.a, tt.b, got, tt.same, tt.reason)
		}
	}
}
