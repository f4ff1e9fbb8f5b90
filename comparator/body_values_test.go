package comparator

import (
	"strings"
	"testing"
	"time"

	"github.com/shadowread/shadowread/comparator/internal/jsonnum"
)

func TestNumberIdentity(t *testing.T) {
	tests := []struct {
		name, a, b string
		same       bool
		reason     string
	}{
		{"trailing zeros", "1.0", "1", true, "one value"},
		{"exponent", "1.25e1", "12.50", true, "an exponent against a plain fraction"},
		{"big exponent", "1e2", "100", true, "an exponent against an integer"},
		{"negative exponent", "125e-4", "0.0125", true, "leading zeros of a fraction"},
		{"minus zero", "-0.0", "0", true, "every zero is zero"},
		{"huge", "1e400", "10e399", true, "beyond the plain form"},
		{"long integer", "1234567890123456789012345678901234567890123", "1.234567890123456789012345678901234567890123e42", true, "past maxPlainKey both take jsonnum.DecimalKey's form"},
		{"other value", "1.5", "15", false, "the point counts"},
		{"sign", "-1", "1", false, "the sign counts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := numberIdentity(tt.a), numberIdentity(tt.b)
			if (a == b) != tt.same {
				t.Errorf("numberIdentity(%q) = %q, numberIdentity(%q) = %q: same = %v, want %v (%s)", tt.a, a, tt.b, b, a == b, tt.same, tt.reason)
			}
			if (jsonnum.DecimalKey(tt.a) == jsonnum.DecimalKey(tt.b)) != tt.same {
				t.Fatalf("jsonnum.DecimalKey disagrees with the test's expectation (%s)", tt.reason)
			}
		})
	}
}

// TestValidDateTime checks the shortcut against time.Parse on the edges of
// the calendar.
func TestValidDateTime(t *testing.T) {
	for _, s := range []string{
		"2024-02-29T10:00:00", "2023-02-29T10:00:00", "2100-02-29T00:00:00", "2000-02-29T00:00:00",
		"2024-04-31T00:00:00", "2024-12-31T23:59:59", "2024-13-01T00:00:00", "2024-00-10T00:00:00",
		"2024-01-00T00:00:00", "2024-01-01T24:00:00", "2024-01-01T00:60:00", "2024-01-01T00:00:60",
		"2024-01-01t00:00:00", "2024-01-01T0a:00:00", "0000-01-01T00:00:00", "9999-12-31T23:59:59",
		"/024-01-01T00:00:00", "2024-1:-01T00:00:00", "2024-01-01T00:0/:00", "1900-02-29T00:00:00",
	} {
		_, err := time.Parse(time.RFC3339, s+"Z")
		if got := validDateTime(s); got && err != nil {
			t.Errorf("validDateTime(%q) = true, time.Parse says %v", s, err)
		} else if !got && err == nil && s[10] == 'T' {
			t.Errorf("validDateTime(%q) = false, time.Parse accepts it", s)
		}
	}
}

// TestNumberHint triages pairs of number literals directly, spellings of
// one value included, which a comparison never reports.
func TestNumberHint(t *testing.T) {
	tests := []struct {
		name   string
		x, y   string
		want   Triage
		reason string
	}{
		{"trailing zero", "12.50", "12.5", TriageRepresentation, "the same value"},
		{"float64 noise", "0.30000000000000004", "0.3", TriageRepresentation, "0.1+0.2 in float64"},
		{"one float64", "0.1", "0.10000000000000000001", TriageRepresentation, "float64 cannot tell them apart"},
		{"rounded to cents", "1234567.8912", "1234567.89", TriageDataLoss, "four decimals rounded to two"},
		{"rounded to tens", "1234", "1.23e3", TriageDataLoss, "the exponent sets the last digit"},
		{"a cent", "1234567890.12", "1234567890.13", "", "the same number of decimals: a change"},
		{"tiny exponent", "1e-99999999", "0.1", "", "no exact arithmetic on exponents beyond the bound"},
		{"huge fraction", "0.5" + strings.Repeat("0", 2000) + "1", "0.6", "", "nor on fractions beyond it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := numberHint(tt.x, tt.y).Triage; got != tt.want {
				t.Errorf("numberHint(%s, %s) = %q, want %q (%s)", tt.x, tt.y, got, tt.want, tt.reason)
			}
		})
	}
}
