package comparator

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/bits"
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"github.com/shadowread/shadowread/comparator/internal/jsonnum"
)

// MaxDepth is how deeply arrays and objects may nest in a body compared as
// JSON. A deeper body is compared as bytes ([FallbackTooDeep]), which bounds
// the recursion of every pass over the tree, go-cmp's included.
const MaxDepth = 64

// buffers hold what decoding a body needs, so that a comparator can keep
// them in a pool between comparisons: the tree's node arena and the
// decoder's scratch stacks. They hold no pointers into any body once
// released.
type buffers struct {
	tree   tree
	stack  []node
	order  []int32
	shapes shapeCache
	// notes holds the hints for arrays of the last comparison that
	// explained a mismatch (see docPair.noteArray).
	notes map[unsafe.Pointer]Hint
	// keyIndex and keySeen are keyMatch's indexes, kept for reuse.
	keyIndex map[keyID]int
	keySeen  map[keyID]bool
	// found counts the differences pair found, of which room are
	// explained; room < 0: all of them.
	found, room int
}

// dropMembers says which object members decoding leaves out as absent
// ([NullEqualsMissing], [EmptyEqualsMissing]), when no path rule needs to
// see them first.
type dropMembers struct {
	null, empty bool
}

// decode parses body as one JSON document into b's tree, which stays
// valid until b is released and body is not modified until then. It
// returns the reason to compare as bytes instead when body is not JSON,
// holds invalid UTF-8, repeats an object key, nests deeper than
// [MaxDepth] or is too large to index.
func (b *buffers) decode(body []byte, drop dropMembers) (*tree, Fallback) {
	return b.decodeSized(body, estimateNodes(body), drop)
}

// decodeSized is decode with estimateNodes(body) given.
func (b *buffers) decodeSized(body []byte, nodes int, drop dropMembers) (*tree, Fallback) {
	if len(body) > math.MaxInt32 {
		return nil, FallbackTooLarge
	}
	if !utf8.Valid(body) {
		return nil, FallbackInvalidUTF8
	}
	t := &b.tree
	// The text of every node is a part of the body, read in place: no
	// copy. Nothing that outlives the comparison refers to it: diffs are
	// built from copies, and release forgets it.
	t.src = unsafe.String(unsafe.SliceData(body), len(body))
	t.extra = t.extra[:0]
	t.nodes = slices.Grow(t.nodes[:0], nodes)[:1]
	t.missingDropped = drop.null || drop.empty
	d := decoder{src: t.src, body: body, t: t, drop: drop, stack: b.stack[:0], order: b.order[:0], shapes: &b.shapes}
	d.skipSpace()
	v := d.value()
	d.skipSpace()
	b.stack, b.order = d.stack, d.order
	if d.fail == "" && d.pos != len(t.src) {
		d.fail = FallbackNotJSON
	}
	if d.fail != "" {
		return nil, d.fail
	}
	t.nodes[0] = v
	return t, ""
}

// release forgets the body b last decoded.
func (b *buffers) release() {
	b.tree.src = ""
	clear(b.tree.extra)
	clear(b.notes)
	clear(b.keyIndex)
	clear(b.keySeen)
	b.shapes.forget()
}

// estimateNodes returns about as many nodes as body holds, so that the
// arena is allocated once: every value but the last of a container is
// followed by a comma, and every container opens with a bracket.
func estimateNodes(body []byte) int {
	return 2 + bytes.Count(body, []byte{','}) + bytes.Count(body, []byte{'['}) + bytes.Count(body, []byte{'{'})
}

// decoder is a recursive-descent JSON parser. It records the first problem
// in fail and unwinds; callers check fail after every step that can fail.
type decoder struct {
	src   string // t.src, at hand
	body  []byte // the same bytes as t.src, for reading eight at a time
	t     *tree
	drop  dropMembers
	pos   int
	depth int
	fail  Fallback
	// stack holds the children of the containers being parsed; a container
	// moves its own into t.nodes, in one run, when it ends.
	stack  []node
	order  []int32 // scratch for appendMembers
	shapes *shapeCache
}

func (d *decoder) setFail(f Fallback) {
	if d.fail == "" {
		d.fail = f
	}
}

func (d *decoder) skipSpace() {
	src := d.src
	for d.pos < len(src) && src[d.pos] <= ' ' && isSpace[src[d.pos]] {
		d.pos++
	}
}

// isSpace and isNumberByte classify bytes by table, one load per byte.
var isSpace, isNumberByte = func() (space, number [256]bool) {
	for _, c := range []byte(" \t\n\r") {
		space[c] = true
	}
	for _, c := range []byte("0123456789+-.eE") {
		number[c] = true
	}
	return space, number
}()

func (d *decoder) value() node {
	if d.pos >= len(d.src) {
		d.setFail(FallbackNotJSON)
		return node{}
	}
	switch c := d.src[d.pos]; {
	case c == '{':
		return d.container(typeObject, '}')
	case c == '[':
		return d.container(typeArray, ']')
	case c == '"':
		return node{typ: typeString, text: d.string()}
	case c == '-' || (c >= '0' && c <= '9'):
		return d.number()
	default:
		return d.literal()
	}
}

func (d *decoder) literal() node {
	rest := d.src[d.pos:]
	start := int32(d.pos)
	switch {
	case strings.HasPrefix(rest, "true"):
		d.pos += 4
		return node{typ: typeBool, text: span{start, 4}}
	case strings.HasPrefix(rest, "false"):
		d.pos += 5
		return node{typ: typeBool, text: span{start, 5}}
	case strings.HasPrefix(rest, "null"):
		d.pos += 4
		return node{typ: typeNull}
	}
	d.setFail(FallbackNotJSON)
	return node{}
}

func (d *decoder) number() node {
	start := d.pos
	end := jsonnum.End(d.src, start)
	if end < 0 || end < len(d.src) && isNumberByte[d.src[end]] {
		d.setFail(FallbackNotJSON)
		return node{}
	}
	d.pos = end
	return node{typ: typeNumber, text: span{int32(start), int32(end - start)}}
}

// container parses an array or an object, whose closing byte is closing.
func (d *decoder) container(typ jsonType, closing byte) node {
	if d.depth >= MaxDepth {
		d.setFail(FallbackTooDeep)
		return node{}
	}
	d.depth++
	v := d.containerBody(typ, closing)
	d.depth--
	return v
}

func (d *decoder) containerBody(typ jsonType, closing byte) node {
	d.pos++ // [ or {
	mark := len(d.stack)
	d.skipSpace()
	if d.pos < len(d.src) && d.src[d.pos] == closing {
		d.pos++
		return node{typ: typ}
	}
	for {
		d.skipSpace()
		var key span
		if typ == typeObject {
			key = d.memberName()
		}
		if d.fail != "" {
			return node{}
		}
		v := d.value()
		if d.fail != "" {
			return node{}
		}
		v.key = key
		v.dropped = typ == typeObject && d.dropsMember(&v)
		d.stack = append(d.stack, v)
		d.skipSpace()
		if !d.consumeSeparator(closing) {
			break
		}
	}
	if d.fail != "" {
		return node{}
	}
	kids := d.stack[mark:]
	first := int32(len(d.t.nodes))
	if typ == typeObject {
		d.appendMembers(kids)
	} else {
		d.t.nodes = append(d.t.nodes, kids...)
	}
	d.stack = d.stack[:mark]
	return node{typ: typ, first: first, n: int32(len(d.t.nodes)) - first}
}

// dropsMember reports whether the member v counts as absent and is left
// out of its object.
func (d *decoder) dropsMember(v *node) bool {
	switch v.typ {
	case typeNull:
		return d.drop.null
	case typeArray, typeObject:
		return d.drop.empty && v.n == 0
	}
	return false
}

// memberName parses `"name" :` and returns the name.
func (d *decoder) memberName() span {
	if d.pos >= len(d.src) || d.src[d.pos] != '"' {
		d.setFail(FallbackNotJSON)
		return span{}
	}
	key := d.string()
	d.skipSpace()
	if d.fail == "" && (d.pos >= len(d.src) || d.src[d.pos] != ':') {
		d.setFail(FallbackNotJSON)
	}
	d.pos++ // :
	d.skipSpace()
	return key
}

// appendMembers appends the members of an object to t.nodes sorted by
// name, leaving out those marked dropped, and fails on a name that occurs
// twice (dropped or not: readers disagree on the document). Objects that
// encoding/json wrote from a map are sorted already. Others are sorted by
// position rather than by moving the nodes, which are larger, and the
// order is kept for the next object with the same names in the same
// order, as the elements of an array of structs have: checking the names
// costs less than sorting them.
func (d *decoder) appendMembers(members []node) {
	t := d.t
	name := func(i int) string { return t.text(members[i].key) }
	sorted := true
	for i := 1; i < len(members) && sorted; i++ {
		sorted = name(i-1) < name(i)
	}
	if sorted {
		for i := range members {
			if !members[i].dropped {
				t.nodes = append(t.nodes, members[i])
			}
		}
		return
	}
	order := d.shapes.lookup(t, members)
	if order == nil {
		d.order = d.order[:0]
		for i := range members {
			d.order = append(d.order, int32(i))
		}
		slices.SortFunc(d.order, func(a, b int32) int { return strings.Compare(name(int(a)), name(int(b))) })
		for k := 1; k < len(d.order); k++ {
			if name(int(d.order[k-1])) == name(int(d.order[k])) {
				d.setFail(FallbackDuplicateKey)
				return
			}
		}
		order = d.order
		d.shapes.store(t, members, order)
	}
	for _, i := range order {
		if !members[i].dropped {
			t.nodes = append(t.nodes, members[i])
		}
	}
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

// string parses a JSON string at d.pos (which holds the opening quote) and
// returns the span of its value.
func (d *decoder) string() span {
	d.pos++ // "
	start := d.pos
	// Most strings hold no escapes: look at eight bytes at a time, and go
	// straight to the first that ends the plain run.
	for d.pos+8 <= len(d.body) {
		if m := quoteEscapeOrControl(binary.LittleEndian.Uint64(d.body[d.pos:])); m != 0 {
			d.pos += bits.TrailingZeros64(m) / 8
			break
		}
		d.pos += 8
	}
	for d.pos < len(d.src) {
		switch c := d.src[d.pos]; {
		case c == '"':
			d.pos++
			return span{int32(start), int32(d.pos - 1 - start)}
		case c == '\\':
			return d.escapedString(start)
		case c < 0x20:
			d.setFail(FallbackNotJSON)
			return span{}
		}
		d.pos++
	}
	d.setFail(FallbackNotJSON)
	return span{}
}

// quoteEscapeOrControl returns a mask of the bytes of w that are '"',
// '\\' or below 0x20: the high bit of each, with the classic SWAR tests,
// (x - 0x01…) & ^x & 0x80… for a zero byte of x and (x - 0x20…) & ^x &
// 0x80… for a byte below 0x20. Bytes above the lowest marked one may be
// marked wrongly (a borrow runs up), so only the lowest counts.
func quoteEscapeOrControl(w uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	quote := w ^ (ones * '"')
	escape := w ^ (ones * '\\')
	return ((quote-ones)&^quote | (escape-ones)&^escape | (w-ones*0x20)&^w) & highs
}

// escapedString finishes a string that holds escapes, from d.pos (at the
// first backslash); start is where its contents began.
func (d *decoder) escapedString(start int) span {
	src := d.src
	b := []byte(src[start:d.pos])
	for d.pos < len(src) {
		c := src[d.pos]
		switch {
		case c == '"':
			d.pos++
			return d.t.addText(string(b))
		case c < 0x20:
			d.setFail(FallbackNotJSON)
			return span{}
		case c != '\\':
			b = append(b, c)
			d.pos++
			continue
		}
		if d.pos+1 >= len(src) {
			break
		}
		esc := src[d.pos+1]
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
				return span{}
			}
			if utf16.IsSurrogate(r) {
				if r, ok = d.lowSurrogate(r); !ok {
					// A lone surrogate names no character; decoders replace
					// it with U+FFFD, so two different ones would look equal.
					d.setFail(FallbackInvalidUTF8)
					return span{}
				}
			}
			b = utf8.AppendRune(b, r)
		default:
			d.setFail(FallbackNotJSON)
			return span{}
		}
	}
	d.setFail(FallbackNotJSON)
	return span{}
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
