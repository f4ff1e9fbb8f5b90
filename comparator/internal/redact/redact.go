package redact

import (
	"crypto/sha256"
	"encoding/hex"
	"unicode"

	"github.com/shadowread/shadowread/comparator/internal/jsonnum"
)

// Member names are usually field names of a schema, but an object used as a
// map keys its members by data: session tokens, e-mail addresses, user
// ids. Diff paths show field names and redact data keys like values, so
// that a path can go to logs, traces and metrics.

// maxFieldNameLen is the longest member name taken for a field name.
const maxFieldNameLen = 32

// minDataDigits is the shortest run of digits taken for data (an account,
// order or phone number) rather than part of a name.
const minDataDigits = 6

// LiteralLooksLikeData reports whether the key value lit (a JSON literal)
// of an array element is data: a number with at least minDataDigits
// digits, or a string that [LooksLikeData].
func LiteralLooksLikeData(lit string) bool {
	if jsonnum.IsLiteral(lit) {
		digits := 0
		for i := range len(lit) {
			if lit[i] >= '0' && lit[i] <= '9' {
				digits++
			}
		}
		return digits >= minDataDigits
	}
	if len(lit) >= 2 && lit[0] == '"' {
		lit = lit[1 : len(lit)-1]
	}
	return LooksLikeData(lit)
}

// Step is the path step that stands for the redacted name: a short
// hash, so that the same key still groups into one field and signature.
func Step(name string) string {
	sum := sha256.Sum256([]byte(name))
	return "<redacted:" + hex.EncodeToString(sum[:2]) + ">"
}

// LooksLikeData reports whether a member name (or an element's key value)
// is data rather than a field name. A field name is a short identifier:
// letters, digits, '_' and '-', at most maxFieldNameLen bytes, and none of
// the shapes of generated values: a long run of digits (an account or
// phone number), a part that mixes many digits into letters (a token, a
// hash, a uuid without dashes), or more digits than letters (a date).
// E-mail addresses and uuids fail the first test.
func LooksLikeData(name string) bool {
	if name == "" {
		return false
	}
	if len(name) > maxFieldNameLen {
		return true
	}
	digits, letters := 0, 0
	partLen, partDigits, partLetters, partHex := 0, 0, 0, 0
	endPart := func() bool {
		generated := partLen >= minDataDigits && partDigits == partLen || // long digits
			partLen >= 12 && partDigits >= 3 && partLetters > 0 || // token
			partLen >= 16 && partHex == partLen // hex digest
		partLen, partDigits, partLetters, partHex = 0, 0, 0, 0
		return generated
	}
	for _, r := range name {
		switch {
		case r == '_' || r == '-':
			if endPart() {
				return true
			}
			continue
		case r >= '0' && r <= '9':
			digits++
			partDigits++
			partHex++
		case unicode.IsLetter(r):
			letters++
			partLetters++
			if r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F' {
				partHex++
			}
		default:
			return true
		}
		partLen++
	}
	return endPart() || digits >= 4 && digits > letters
}
