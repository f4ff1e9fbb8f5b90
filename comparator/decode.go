package comparator

import (
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDepth is how deeply arrays and objects may nest in a body compared as
// JSON. A deeper body is compared as bytes ([FallbackTooDeep]), which bounds
// the recursion of every pass over the tree, go-cmp's included.
const MaxDepth = 64

// decode parses body as one JSON document. It returns the reason to compare
// as bytes instead when body is not JSON, holds invalid UTF-8, repeats an
// object key or nests deeper than [MaxDepth].
func decode(body []byte) (node, Fallback) {
	if !utf8.Valid(body) {
		return node{}, FallbackInvalidUTF8
	}
	// One copy of the body as a string: every unescaped string and number
	// literal of the tree is a substring of it, so they cost no allocation.
	d := decoder{src: string(body)}
	d.skipSpace()
	v := d.value()
	d.skipSpace()
	if d.fail == "" && d.pos != len(d.src) {
		d.fail = FallbackNotJSON
	}
	if d.fail != "" {
		return node{}, d.fail
	}
	return v, ""
}

// decoder is a recursive-descent JSON parser. It records the first problem
// in fail and unwinds; callers check fail after every step that can fail.
type decoder struct {
	src   string
	pos   int
	depth int
	fail  Fallback
	// Scratch stacks: the elements or members of the containers being
	// parsed, copied into an exactly sized slice when a container ends.
	elems   []node
	members []member
}

func (d *decoder) setFail(f Fallback) {
	if d.fail == "" {
		d.fail = f
	}
}

func (d *decoder) skipSpace() {
	for d.pos < len(d.src) {
		switch d.src[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *decoder) value() node {
	if d.pos >= len(d.src) {
		d.setFail(FallbackNotJSON)
		return node{}
	}
	switch c := d.src[d.pos]; {
	case c == '{':
		return d.object()
	case c == '[':
		return d.array()
	case c == '"':
		return node{typ: typeString, text: d.string()}
	case c == '-' || (c >= '0' && c <= '9'):
		return d.number()
	default:
		return d.literal()
	}
}

func (d *decoder) literal() node {
	for _, l := range [...]struct {
		text string
		n    node
	}{
		{"true", node{typ: typeBool, text: "true"}},
		{"false", node{typ: typeBool, text: "false"}},
		{"null", node{typ: typeNull}},
	} {
		if strings.HasPrefix(d.src[d.pos:], l.text) {
			d.pos += len(l.text)
			return l.n
		}
	}
	d.setFail(FallbackNotJSON)
	return node{}
}

func (d *decoder) number() node {
	start := d.pos
	for d.pos < len(d.src) {
		c := d.src[d.pos]
		if (c < '0' || c > '9') && c != '-' && c != '+' && c != '.' && c != 'e' && c != 'E' {
			break
		}
		d.pos++
	}
	lit := d.src[start:d.pos]
	if !isNumberLiteral(lit) {
		d.setFail(FallbackNotJSON)
	}
	return node{typ: typeNumber, text: lit}
}

// enter and leave track the nesting depth of arrays and objects.
func (d *decoder) enter() bool {
	d.depth++
	if d.depth > MaxDepth {
		d.setFail(FallbackTooDeep)
		return false
	}
	return true
}

func (d *decoder) leave() { d.depth-- }

func (d *decoder) array() node {
	if !d.enter() {
		return node{}
	}
	defer d.leave()
	d.pos++ // [
	mark := len(d.elems)
	d.skipSpace()
	if d.pos < len(d.src) && d.src[d.pos] == ']' {
		d.pos++
		return node{typ: typeArray}
	}
	for {
		d.skipSpace()
		v := d.value()
		if d.fail != "" {
			return node{}
		}
		d.elems = append(d.elems, v)
		d.skipSpace()
		if !d.consumeSeparator(']') {
			break
		}
	}
	if d.fail != "" {
		return node{}
	}
	elems := slices.Clone(d.elems[mark:])
	clear(d.elems[mark:])
	d.elems = d.elems[:mark]
	return node{typ: typeArray, elems: elems}
}

// consumeSeparator consumes a ',' (and reports true: another item follows)
// or the closing byte (false). Anything else fails the parse.
func (d *decoder) consumeSeparator(closing byte) bool {
	if d.pos < len(d.src) {
		switch d.src[d.pos] {
		case ',':
			d.pos++
			return true
		case closing:
			d.pos++
			return false
		}
	}
	d.setFail(FallbackNotJSON)
	return false
}

func (d *decoder) object() node {
	if !d.enter() {
		return node{}
	}
	defer d.leave()
	d.pos++ // {
	mark := len(d.members)
	d.skipSpace()
	if d.pos < len(d.src) && d.src[d.pos] == '}' {
		d.pos++
		return node{typ: typeObject}
	}
	for {
		d.skipSpace()
		if d.pos >= len(d.src) || d.src[d.pos] != '"' {
			d.setFail(FallbackNotJSON)
			return node{}
		}
		key := d.string()
		d.skipSpace()
		if d.fail == "" && (d.pos >= len(d.src) || d.src[d.pos] != ':') {
			d.setFail(FallbackNotJSON)
		}
		if d.fail != "" {
			return node{}
		}
		d.pos++ // :
		d.skipSpace()
		v := d.value()
		if d.fail != "" {
			return node{}
		}
		d.members = append(d.members, member{key: key, value: v})
		d.skipSpace()
		if !d.consumeSeparator('}') {
			break
		}
	}
	if d.fail != "" {
		return node{}
	}
	members := slices.Clone(d.members[mark:])
	clear(d.members[mark:])
	d.members = d.members[:mark]
	slices.SortFunc(members, func(a, b member) int { return strings.Compare(a.key, b.key) })
	for i := 1; i < len(members); i++ {
		if members[i-1].key == members[i].key {
			d.setFail(FallbackDuplicateKey)
			return node{}
		}
	}
	return node{typ: typeObject, members: members}
}

// string parses a JSON string at d.pos (which holds the opening quote) and
// returns its value.
func (d *decoder) string() string {
	d.pos++ // "
	start := d.pos
	for d.pos < len(d.src) {
		switch c := d.src[d.pos]; {
		case c == '"':
			s := d.src[start:d.pos]
			d.pos++
			return s
		case c == '\\':
			return d.escapedString(start)
		case c < 0x20:
			d.setFail(FallbackNotJSON)
			return ""
		}
		d.pos++
	}
	d.setFail(FallbackNotJSON)
	return ""
}

// escapedString finishes a string that holds escapes, from d.pos (at the
// first backslash); start is where its contents began.
func (d *decoder) escapedString(start int) string {
	b := []byte(d.src[start:d.pos])
	for d.pos < len(d.src) {
		c := d.src[d.pos]
		switch {
		case c == '"':
			d.pos++
			return string(b)
		case c < 0x20:
			d.setFail(FallbackNotJSON)
			return ""
		case c != '\\':
			b = append(b, c)
			d.pos++
			continue
		}
		if d.pos+1 >= len(d.src) {
			break
		}
		esc := d.src[d.pos+1]
		d.pos += 2
		switch esc {
		case '"', '\\', '/':
			b = append(b, esc)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := d.hex4()
			if !ok {
				return ""
			}
			if utf16.IsSurrogate(r) {
				if r, ok = d.lowSurrogate(r); !ok {
					// A lone surrogate names no character; decoders replace
					// it with U+FFFD, so two different ones would look equal.
					d.setFail(FallbackInvalidUTF8)
					return ""
				}
			}
			b = utf8.AppendRune(b, r)
		default:
			d.setFail(FallbackNotJSON)
			return ""
		}
	}
	d.setFail(FallbackNotJSON)
	return ""
}

// hex4 reads the four hex digits of a \u escape.
func (d *decoder) hex4() (rune, bool) {
	if d.pos+4 > len(d.src) {
		d.setFail(FallbackNotJSON)
		return 0, false
	}
	var r rune
	for _, c := range []byte(d.src[d.pos : d.pos+4]) {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			d.setFail(FallbackNotJSON)
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	d.pos += 4
	return r, true
}

// lowSurrogate completes the UTF-16 surrogate pair whose first half is
// high; it reports false when no matching second half follows.
func (d *decoder) lowSurrogate(high rune) (rune, bool) {
	if !strings.HasPrefix(d.src[d.pos:], `\u`) {
		return 0, false
	}
	d.pos += 2
	low, ok := d.hex4()
	if !ok {
		return 0, false
	}
	r := utf16.DecodeRune(high, low)
	return r, r != utf8.RuneError
}
