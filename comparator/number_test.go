package comparator

import (
	"strings"
	"testing"
	"time"
)

func TestDecimalKey(t *testing.T) {
	tests := []struct {
		name   string
		a, b   string
		equal  bool
		reason string
	}{
		{"trailing zeros", "12.50", "12.5", true, "scale is not value"},
		{"exponent", "1.25e1", "12.5", true, "exponent notation"},
		{"negative exponent", "125E-1", "12.5", true, "capital E and a negative exponent"},
		{"plus exponent", "1e+2", "100", true, "explicit plus"},
		{"zeros", "0", "-0.000e5", true, "every zero is zero"},
		{"integer zeros", "1000", "1e3", true, "trailing zeros of an integer"},
		{"sign", "-1", "1", false, "the sign counts"},
		{"last digit", "123456789012345678901234567890", "123456789012345678901234567891", false, "beyond float64 precision"},
		{"tiny", "1e-400", "0", false, "below float64 range is not zero"},
		{"huge exponents", "1e99999999999999999999", "10e99999999999999999998", true, "exponents beyond int64"},
		{"huge exponents differ", "1e99999999999999999999", "1e99999999999999999998", false, "exponents beyond int64"},
		{"negative huge exponent", "1e-99999999999999999999", "0.1e-99999999999999999998", true, "the big path subtracts too"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ka, kb := decimalKey(tt.a), decimalKey(tt.b)
			if (ka == kb) != tt.equal {
				t.Errorf("decimalKey(%q) = %q, decimalKey(%q) = %q; equal want %v (%s)", tt.a, ka, tt.b, kb, tt.equal, tt.reason)
			}
		})
	}
}

func TestIsNumberLiteral(t *testing.T) {
	tests := []struct {
		s      string
		want   bool
		reason string
	}{
		{"0", true, "zero"},
		{"-12.50e+3", true, "every part"},
		{"01", false, "no leading zeros"},
		{"1.", false, "a fraction needs digits"},
		{".5", false, "an integer part is required"},
		{"1e", false, "an exponent needs digits"},
		{"+1", false, "no plus sign"},
		{"", false, "empty"},
		{" 1", false, "no spaces"},
		{"NaN", false, "not JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.s, func(t *testing.T) {
			if got := isNumberLiteral(tt.s); got != tt.want {
				t.Errorf("isNumberLiteral(%q) = %v, want %v (%s)", tt.s, got, tt.want, tt.reason)
			}
		})
	}
}

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
		{"long integer", "1234567890123456789012345678901234567890123", "1.234567890123456789012345678901234567890123e42", true, "past maxPlainKey both take decimalKey's form"},
		{"other value", "1.5", "15", false, "the point counts"},
		{"sign", "-1", "1", false, "the sign counts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := numberIdentity(tt.a), numberIdentity(tt.b)
			if (a == b) != tt.same {
				t.Errorf("numberIdentity(%q) = %q, numberIdentity(%q) = %q: same = %v, want %v (%s)", tt.a, a, tt.b, b, a == b, tt.same, tt.reason)
			}
			if (decimalKey(tt.a) == decimalKey(tt.b)) != tt.same {
				t.Fatalf("decimalKey disagrees with the test's expectation (%s)", tt.reason)
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
