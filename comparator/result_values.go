package comparator

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/shadowread/shadowread/comparator/internal/jsonnum"
)

// maxShown bounds a value shown with [ShowValues], in bytes.
const maxShown = 96

// describe describes a value of a difference: redacted to its type, its
// length and a short hash, or the value itself under [ShowValues].
func (c *jsonComparator) describe(v any) string {
	if c.showValues {
		var b strings.Builder
		writeValue(&b, v)
		return truncate(b.String())
	}
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "bool(#" + shortHash(strconv.FormatBool(v)) + ")"
	case json.Number:
		// Hash the value, not the spelling: 12.5 and 12.50 look the same.
		return "number(#" + shortHash(jsonnum.DecimalKey(string(v))) + ")"
	case string:
		return "string(len=" + strconv.Itoa(len(v)) + ",#" + shortHash(v) + ")"
	case map[int]any:
		return "array(len=" + strconv.Itoa(len(v)) + ")"
	case map[elementKey]any:
		return "array(len=" + strconv.Itoa(len(v)) + ")"
	case map[string]any:
		return "object(len=" + strconv.Itoa(len(v)) + ")"
	}
	return fmt.Sprintf("%T", v) // a user's transformer made it
}

// describeBytes describes a body compared as bytes.
func (c *jsonComparator) describeBytes(b []byte) string {
	if c.showValues {
		return truncate(strconv.Quote(string(b)))
	}
	return "bytes(len=" + strconv.Itoa(len(b)) + ",#" + shortHash(string(b)) + ")"
}

// describeHeader describes the values of a header.
func (c *jsonComparator) describeHeader(values []string) string {
	joined := strings.Join(values, ", ")
	if c.showValues {
		return truncate(strconv.Quote(joined))
	}
	return "string(len=" + strconv.Itoa(len(joined)) + ",#" + shortHash(joined) + ")"
}

// shortHash is the first six hex digits of the SHA-256 of s: enough to tell
// at a glance whether two redacted values are the same. It does not hide a
// value that can be guessed (a boolean, a small number): hashing every
// candidate finds it.
func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:3])
}

func truncate(s string) string {
	if len(s) <= maxShown {
		return s
	}
	cut := maxShown
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…(" + strconv.Itoa(len(s)) + " bytes)"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// writeValue writes v (a value as go-cmp compares it, see pair) as JSON.
func writeValue(b *strings.Builder, v any) {
	switch v := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case json.Number:
		b.WriteString(string(v))
	case string:
		b.WriteString(quoteKey(v))
	case map[int]any:
		b.WriteByte('[')
		for i, k := range slices.Sorted(maps.Keys(v)) {
			if i > 0 {
				b.WriteByte(',')
			}
			writeValue(b, v[k])
		}
		b.WriteByte(']')
	case map[elementKey]any:
		// An array matched by key: its elements in the order of their keys.
		keys := slices.SortedFunc(maps.Keys(v), func(a, b elementKey) int { return strings.Compare(a.value, b.value) })
		b.WriteByte('[')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeValue(b, v[k])
		}
		b.WriteByte(']')
	case map[string]any:
		b.WriteByte('{')
		for i, k := range slices.Sorted(maps.Keys(v)) {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(quoteKey(k))
			b.WriteByte(':')
			writeValue(b, v[k])
		}
		b.WriteByte('}')
	default:
		fmt.Fprintf(b, "%v", v) // a user's transformer made it
	}
}
