package testenv

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"
)

// UniqueName returns a DynamoDB table name that no other test or run uses:
// prefix, the test's name and a random suffix, within DynamoDB's rules
// (3 to 255 characters of a-z, A-Z, 0-9, '_', '-', '.'). The prefix must
// follow the same rules.
func UniqueName(t testing.TB, prefix string) string {
	t.Helper()
	if strings.ContainsFunc(prefix, func(r rune) bool { return !isTableNameRune(r) }) {
		t.Fatalf("testenv: UniqueName prefix %q has characters DynamoDB refuses in a table name; use only a-z, A-Z, 0-9, '_', '-' and '.'", prefix)
	}
	if len(prefix) > maxPrefixLen {
		t.Fatalf("testenv: UniqueName prefix %q is longer than %d bytes; use a shorter one", prefix, maxPrefixLen)
	}
	testName := strings.Map(func(r rune) rune {
		if isTableNameRune(r) {
			return r
		}
		return '-'
	}, t.Name())
	return joinName(prefix, testName, randomHex(), '-', 255)
}

// maxPrefixLen leaves room for a useful part of the test's name.
const maxPrefixLen = 64

func isTableNameRune(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' ||
		r == '_' || r == '-' || r == '.'
}

// joinName joins prefix, the test's name and the random suffix with sep,
// shortening the test's name so the result has at most maxLen bytes.
// The suffix alone makes the name unique; the rest is for people reading it.
func joinName(prefix, testName, suffix string, sep byte, maxLen int) string {
	room := maxLen - len(prefix) - len(suffix) - 2
	if room < 0 {
		room = 0
	}
	if len(testName) > room {
		testName = testName[:room]
	}
	var b strings.Builder
	for _, part := range []string{prefix, testName, suffix} {
		if part == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(sep)
		}
		b.WriteString(part)
	}
	return b.String()
}

// randomHex returns 12 random lowercase hex digits.
func randomHex() string {
	var b [6]byte
	rand.Read(b[:]) // never fails; it crashes the program instead
	return hex.EncodeToString(b[:])
}
