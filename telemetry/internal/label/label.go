package label

import (
	"unicode/utf8"
)

// maxLen bounds the length of a route or diff path kept in memory.
const maxLen = 256

// Clip shortens s to at most 256 bytes without splitting a rune.
func Clip(s string) string {
	if len(s) <= maxLen {
		return s
	}
	for i := maxLen; i > 0; i-- {
		if utf8.RuneStart(s[i]) {
			return s[:i]
		}
	}
	return ""
}
