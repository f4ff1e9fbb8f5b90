package jsonnum

import "testing"

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
			ka, kb := DecimalKey(tt.a), DecimalKey(tt.b)
			if (ka == kb) != tt.equal {
				t.Errorf("DecimalKey(%q) = %q, DecimalKey(%q) = %q; equal want %v (%s)", tt.a, ka, tt.b, kb, tt.equal, tt.reason)
			}
		})
	}
}

func TestIsLiteral(t *testing.T) {
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
			if got := IsLiteral(tt.s); got != tt.want {
				t.Errorf("IsLiteral(%q) = %v, want %v (%s)", tt.s, got, tt.want, tt.reason)
			}
		})
	}
}
