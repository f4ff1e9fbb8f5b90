package redact

import (
	"regexp"
	"testing"
)

func TestLooksLikeData(t *testing.T) {
	tests := []struct {
		name   string
		want   bool
		reason string
	}{
		{"status", false, "a field name"},
		{"address_line2", false, "a few digits in a name"},
		{"camelCaseName", false, "letters only"},
		{"", false, "nothing to hide"},
		{"tok_9f8e7d6c5b4a3f2e1d0c", true, "a token mixes digits into letters"},
		{"ann@example.com", true, "'@' and '.' are no identifier"},
		{"6fa459ea-ee8a-3ca4-894e-db77e160355e", true, "too long for a field name"},
		{"12345678", true, "an account number"},
		{"2024-05-01", true, "more digits than letters"},
		{"deadbeefcafebabe", true, "a hex digest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := LooksLikeData(tt.name); got != tt.want {
				t.Errorf("LooksLikeData(%q) = %v, want %v (%s)", tt.name, got, tt.want, tt.reason)
			}
		})
	}
}

func TestLiteralLooksLikeData(t *testing.T) {
	tests := []struct {
		lit    string
		want   bool
		reason string
	}{
		{"42", false, "a short number is an ordinal or a code"},
		{"1234567", true, "a long number is an account or an id"},
		{"-12.3456", true, "digits count, not the sign or the point"},
		{`"sku"`, false, "a string key is judged like a member name"},
		{`"ann@example.com"`, true, "without its quotes"},
	}
	for _, tt := range tests {
		t.Run(tt.lit, func(t *testing.T) {
			if got := LiteralLooksLikeData(tt.lit); got != tt.want {
				t.Errorf("LiteralLooksLikeData(%s) = %v, want %v (%s)", tt.lit, got, tt.want, tt.reason)
			}
		})
	}
}

// TestStep checks that a name always gives the same step, so a mismatch on
// it keeps one signature, and that the step shows no part of the name.
func TestStep(t *testing.T) {
	a, b := Step("tok_9f8e7d6c5b4a3f2e1d0c"), Step("tok_0a1b2c3d4e5f6a7b8c9d")
	if !regexp.MustCompile(`^<redacted:[0-9a-f]{4}>$`).MatchString(a) {
		t.Fatalf("Step = %q", a)
	}
	if Step("tok_9f8e7d6c5b4a3f2e1d0c") != a || a == b {
		t.Errorf("steps %q, %q: the same name must give the same step, two names two", a, b)
	}
}
