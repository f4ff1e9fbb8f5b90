package comparator

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Paths name places in a JSON document, from its root. The syntax (also in
// the package documentation):
//
//	name       the member "name" of the root object
//	a.b        member b of member a
//	["a.b"]    a member whose name needs quoting (JSON string syntax)
//	[*]        every element of an array
//	*          every member of an object
//	**         any number of steps, zero included
//
// Diff paths use the same syntax with element indexes (`items[3].price`);
// the root itself is `$`.

// segmentKind is what one step of a path pattern matches.
type segmentKind uint8

const (
	segKey      segmentKind = iota // one member with the given name
	segAnyKey                      // *: any one member
	segAnyIndex                    // [*]: any one element
	segAnyDepth                    // **: any number of steps
)

type segment struct {
	kind segmentKind
	key  string
}

// parsePattern parses a path pattern of the syntax above.
func parsePattern(p string) ([]segment, error) {
	var segs []segment
	for i := 0; i < len(p); {
		if p[i] == '[' {
			seg, n, err := parseBracket(p[i:])
			if err != nil {
				return nil, err
			}
			segs = append(segs, seg)
			i += n
			continue
		}
		if len(segs) > 0 {
			if p[i] != '.' {
				return nil, fmt.Errorf("expected '.' or '[' at offset %d", i)
			}
			i++
		}
		end := i
		for end < len(p) && p[end] != '.' && p[end] != '[' {
			end++
		}
		key := p[i:end]
		switch {
		case key == "*":
			segs = append(segs, segment{kind: segAnyKey})
		case key == "**":
			segs = append(segs, segment{kind: segAnyDepth})
		case key == "":
			return nil, fmt.Errorf("empty name at offset %d", i)
		case !isBareKey(key):
			return nil, fmt.Errorf("name %q needs quoting: write [%s]", key, quoteKey(key))
		default:
			segs = append(segs, segment{kind: segKey, key: key})
		}
		i = end
	}
	if len(segs) == 0 {
		return nil, fmt.Errorf("empty path")
	}
	return segs, nil
}

// parseBracket parses a step in brackets at the start of p and returns it
// with the number of bytes it took.
func parseBracket(p string) (segment, int, error) {
	if strings.HasPrefix(p, "[*]") {
		return segment{kind: segAnyIndex}, 3, nil
	}
	if len(p) > 1 && p[1] >= '0' && p[1] <= '9' {
		return segment{}, 0, fmt.Errorf("%s: element indexes are not part of the path syntax: write [*] for every element", p)
	}
	if len(p) < 2 || p[1] != '"' {
		return segment{}, 0, fmt.Errorf("%s: a bracket holds [*] or a quoted name such as [\"a.b\"]", p)
	}
	// Find the closing quote, stepping over escapes.
	end := 2
	for end < len(p) && p[end] != '"' {
		if p[end] == '\\' {
			end++
		}
		end++
	}
	if end >= len(p) || end+1 >= len(p) || p[end+1] != ']' {
		return segment{}, 0, fmt.Errorf("%s: unterminated quoted name", p)
	}
	var key string
	if err := json.Unmarshal([]byte(p[1:end+1]), &key); err != nil {
		return segment{}, 0, fmt.Errorf("%s: quoted name is not a JSON string", p)
	}
	return segment{kind: segKey, key: key}, end + 2, nil
}

// isBareKey reports whether key can be written in a path without quoting.
func isBareKey(key string) bool {
	if key == "" {
		return false
	}
	for _, r := range key {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' && r != '-' && r != '@' {
			return false
		}
	}
	return true
}

// quoteKey returns key as a JSON string.
func quoteKey(key string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range key {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// appendKey appends the step to member key to the diff path b.
func appendKey(b []byte, key string) []byte {
	if isBareKey(key) {
		if len(b) > 0 {
			b = append(b, '.')
		}
		return append(b, key...)
	}
	b = append(b, '[')
	b = append(b, quoteKey(key)...)
	return append(b, ']')
}

// appendIndex appends the step to element i to the diff path b.
func appendIndex(b []byte, i int) []byte {
	b = append(b, '[')
	b = strconv.AppendInt(b, int64(i), 10)
	return append(b, ']')
}

// collapseIndexes rewrites every element step of a diff path to [*], so
// that the same difference in different elements reads the same.
func collapseIndexes(path string) string {
	return starElements(fieldOfPath(path))
}

// fieldOfPath returns the field form of a diff path: every element step, an
// index (`[3]`) or a key (`[id=17]`), written `[]`.
func fieldOfPath(path string) string {
	var b strings.Builder
	for i := 0; i < len(path); {
		switch {
		case strings.HasPrefix(path[i:], `["`):
			// A quoted name: copy it whole, brackets inside included.
			end := skipQuoted(path, i+1) + 1 // and the closing bracket
			end = min(end, len(path))
			b.WriteString(path[i:end])
			i = end
		case path[i] == '[':
			end := elementStepEnd(path, i)
			if end < 0 {
				b.WriteByte('[')
				i++
				continue
			}
			b.WriteString("[]")
			i = end
		default:
			_, size := utf8.DecodeRuneInString(path[i:])
			b.WriteString(path[i : i+size])
			i += size
		}
	}
	return b.String()
}

// elementStepEnd returns the end of the element step at path[i] (which is
// '['): an index `[3]` or a key `[name=value]`, the value a JSON literal.
// It returns -1 when none starts there.
func elementStepEnd(path string, i int) int {
	if end := skipDigits(path, i+1); end > i+1 && end < len(path) && path[end] == ']' {
		return end + 1
	}
	eq := strings.IndexAny(path[i+1:], "=]")
	if eq < 0 || path[i+1+eq] != '=' {
		return -1
	}
	j := i + 1 + eq + 1
	if j < len(path) && path[j] == '"' {
		j = skipQuoted(path, j)
	}
	end := strings.IndexByte(path[j:], ']')
	if end < 0 {
		return -1
	}
	return j + end + 1
}

// skipQuoted returns the index after the JSON string that starts at
// path[i] (which is '"'), or len(path) when it does not end.
func skipQuoted(path string, i int) int {
	for j := i + 1; j < len(path); j++ {
		switch path[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(path)
}

// starElements writes the element steps `[]` of a field as `[*]`, the form
// signatures hash.
func starElements(field string) string {
	if !strings.Contains(field, "[]") {
		return field
	}
	var b strings.Builder
	for i := 0; i < len(field); {
		switch {
		case strings.HasPrefix(field[i:], `["`):
			end := min(skipQuoted(field, i+1)+1, len(field))
			b.WriteString(field[i:end])
			i = end
		case strings.HasPrefix(field[i:], "[]"):
			b.WriteString("[*]")
			i += 2
		default:
			b.WriteByte(field[i])
			i++
		}
	}
	return b.String()
}

// skipDigits returns the end of the run of ASCII digits at s[i].
func skipDigits(s string, i int) int {
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}
