package label_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/shadowread/shadowread/telemetry/internal/label"
)

func TestClip(t *testing.T) {
	tests := []struct {
		name, in string
		wantLen  int
		reason   string
	}{
		{"short", "orders[].status", 15, "short strings are kept as they are"},
		{"ascii", strings.Repeat("a", 300), 256, "clipped at 256 bytes"},
		{"rune", strings.Repeat("a", 255) + "é" + "b", 255, "a two-byte rune across the limit is left out whole"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := label.Clip(tt.in)
			if len(got) != tt.wantLen || !utf8.ValidString(got) {
				t.Errorf("Clip: %d bytes (valid UTF-8: %v), want %d: %s", len(got), utf8.ValidString(got), tt.wantLen, tt.reason)
			}
		})
	}
}

func TestEntityKey(t *testing.T) {
	if got := label.EntityKey("", false); got != "" {
		t.Errorf("no key = %q, want empty", got)
	}
	hashed := label.EntityKey("customer-42", false)
	if len(hashed) != 9 || hashed[0] != '#' || hashed != label.EntityKey("customer-42", false) {
		t.Errorf("redacted key = %q, want a stable # and 8 hex digits", hashed)
	}
	if got := label.EntityKey("customer-42", true); got != "customer-42" {
		t.Errorf("shown key = %q, want it as it is", got)
	}
}
