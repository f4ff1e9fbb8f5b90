package jsontree

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"math/bits"
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"github.com/shadowread/shadowread/comparator/internal/jsonnum"
)

// The reasons Decode refuses a body.
var (
	ErrNotJSON      = errors.New("jsontree: not a JSON document")
	ErrInvalidUTF8  = errors.New("jsontree: invalid UTF-8, raw or as a lone surrogate escape")
	ErrDuplicateKey = errors.New("jsontree: an object repeats a key")
	ErrTooDeep      = errors.New("jsontree: arrays and objects nest too deeply")
	ErrTooLarge     = errors.New("jsontree: 2 GiB or more")
)

// Options say how a body is decoded.
type Options struct {
	// MaxDepth is how deeply arrays and objects may nest; a deeper body is
	// refused (ErrTooDeep), which bounds the recursion of every pass over
	// the tree.
	MaxDepth int
	// DropNull and DropEmpty leave out the object members whose value is
	// null, or an empty array or object, as if they were absent.
	DropNull, DropEmpty bool
}

// Decoder holds what decoding a body needs, so that a caller can keep it
// in a pool between decodes: the tree's node arena and the parser's
// scratch stacks. It holds no pointers into any body once released. The
// zero Decoder is ready to use.
type Decoder struct {
	tree   Tree
	stack  []Node
	order  []int32
	shapes shapeCache
	// siblings is the decoding's, kept for reuse.
	siblings []sibling
}

// Reserve gives dec a new arena of room for n nodes, so that decoding a body
// of up to n nodes allocates no more.
func (dec *Decoder) Reserve(n int) {
	dec.tree.Nodes = make([]Node, 0, n)
}

// Cap returns how many nodes the arena holds without growing.
func (dec *Decoder) Cap() int { return cap(dec.tree.Nodes) }

// Decode parses body as one JSON document into dec's tree, which stays valid
// until dec decodes again or is released, and body must not be modified
// until then; nodes is [EstimateNodes](body), which the caller may have
// computed already. It refuses a body that is not JSON, holds invalid
// UTF-8, repeats an object key, nests deeper than opts.MaxDepth or is too
// large to index, with the Err value that says so.
func (dec *Decoder) Decode(body []byte, nodes int, opts Options) (*Tree, error) {
	if len(body) > math.MaxInt32 {
		return nil, ErrTooLarge
	}
	if !utf8.Valid(body) {
		return nil, ErrInvalidUTF8
	}
	t := &dec.tree
	// The text of every node is a part of the body, read in place: no
	// copy. Nothing that outlives the caller's use of the tree may refer
	// to it, and Release forgets it.
	t.src = unsafe.String(unsafe.SliceData(body), len(body))
	t.extra = t.extra[:0]
	t.Nodes = slices.Grow(t.Nodes[:0], nodes)[:1]
	t.MissingDropped = opts.DropNull || opts.DropEmpty
	dec.siblings = resetSiblings(dec.siblings, opts.MaxDepth)
	d := decoding{src: t.src, body: body, t: t, opts: opts, stack: dec.stack[:0], order: dec.order[:0], shapes: &dec.shapes, siblings: dec.siblings}
	d.skipSpace()
	v := d.value()
	d.skipSpace()
	dec.stack, dec.order = d.stack, d.order
	if d.fail == nil && d.pos != len(t.src) {
		d.fail = ErrNotJSON
	}
	if d.fail != nil {
		return nil, d.fail
	}
	t.Nodes[0] = v
	return t, nil
}

// Release forgets the body dec last decoded.
func (dec *Decoder) Release() {
	dec.tree.src = ""
	clear(dec.tree.extra)
	dec.shapes.forget()
}

// EstimateNodes returns about as many nodes as body holds, so that the
// arena is allocated once: every value but the last of a container is
// followed by a comma, and every container opens with a bracket.
func EstimateNodes(body []byte) int {
	return 2 + bytes.Count(body, []byte{','}) + bytes.Count(body, []byte{'['}) + bytes.Count(body, []byte{'{'})
}

// decoding is one Decode under way: a recursive-descent JSON parser. It records the first problem
// in fail and unwinds; callers check fail after every step that can fail.
type decoding struct {
	src   string // t.src, at hand
	body  []byte // the same bytes as t.src, for reading eight at a time
	t     *Tree
	opts  Options
	pos   int
	depth int
	fail  error
	// stack holds the children of the containers being parsed; a container
	// moves its own into t.Nodes, in one run, when it ends.
	stack  []Node
	order  []int32 // scratch for appendMembers
	shapes *shapeCache
	// siblings[depth] is the shape of the last object decoded at depth,
	// for the next one there (see sibling).
	siblings []sibling
}

func (d *decoding) setFail(err error) {
	if d.fail == nil {
		d.fail = err
	}
}

func (d *decoding) skipSpace() {
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

func (d *decoding) value() Node {
	if d.pos >= len(d.src) {
		d.setFail(ErrNotJSON)
		return Node{}
	}
	switch c := d.src[d.pos]; {
	case c == '{':
		return d.container(Object, '}')
	case c == '[':
		return d.container(Array, ']')
	case c == '"':
		return Node{Type: String, Text: d.string()}
	case c == '-' || (c >= '0' && c <= '9'):
		return d.number()
	default:
		return d.literal()
	}
}

func (d *decoding) literal() Node {
	rest := d.src[d.pos:]
	start := int32(d.pos)
	switch {
	case strings.HasPrefix(rest, "true"):
		d.pos += 4
		return Node{Type: Bool, Text: Span{start, 4}}
	case strings.HasPrefix(rest, "false"):
		d.pos += 5
		return Node{Type: Bool, Text: Span{start, 5}}
	case strings.HasPrefix(rest, "null"):
		d.pos += 4
		return Node{Type: Null}
	}
	d.setFail(ErrNotJSON)
	return Node{}
}

func (d *decoding) number() Node {
	start := d.pos
	end := jsonnum.End(d.src, start)
	if end < 0 || end < len(d.src) && isNumberByte[d.src[end]] {
		d.setFail(ErrNotJSON)
		return Node{}
	}
	d.pos = end
	return Node{Type: Number, Text: Span{int32(start), int32(end - start)}}
}

// container parses an array or an object, whose closing byte is closing.
func (d *decoding) container(typ Type, closing byte) Node {
	if d.depth >= d.opts.MaxDepth {
		d.setFail(ErrTooDeep)
		return Node{}
	}
	d.depth++
	v := d.containerBody(typ, closing)
	d.depth--
	return v
}

func (d *decoding) containerBody(typ Type, closing byte) Node {
	d.pos++ // [ or {
	mark := len(d.stack)
	d.skipSpace()
	if d.pos < len(d.src) && d.src[d.pos] == closing {
		d.pos++
		return Node{Type: typ}
	}
	// An object at the depth of the last one may well have its names: read
	// them by comparing bytes, and take its order (see sibling).
	var sib *sibling
	if typ == Object && d.depth < len(d.siblings) {
		sib = &d.siblings[d.depth]
	}
	same := sib != nil && sib.valid
	for k := 0; ; k++ {
		d.skipSpace()
		var key Span
		if typ == Object {
			if same && k < len(sib.names) && d.nameIs(sib.names[k]) {
				key = sib.names[k]
			} else {
				same = false
				key = d.memberName()
			}
		}
		if d.fail != nil {
			return Node{}
		}
		v := d.value()
		if d.fail != nil {
			return Node{}
		}
		v.Key = key
		v.dropped = typ == Object && d.dropsMember(&v)
		d.stack = append(d.stack, v)
		if d.pos < len(d.src) && d.src[d.pos] == ',' { // the usual case: a comma right after the value
			d.pos++
			continue
		}
		d.skipSpace()
		if !d.consumeSeparator(closing) {
			same = same && k+1 == len(sib.names)
			break
		}
	}
	if d.fail != nil {
		return Node{}
	}
	kids := d.stack[mark:]
	first := int32(len(d.t.Nodes))
	switch {
	case same:
		d.appendInOrder(kids, sib.order, sib.sorted)
	case typ == Object:
		order, sorted := d.appendMembers(kids)
		if sib != nil && d.fail == nil {
			sib.remember(kids, order, sorted)
		}
	default:
		d.t.Nodes = append(d.t.Nodes, kids...)
	}
	d.stack = d.stack[:mark]
	return Node{Type: typ, First: first, N: int32(len(d.t.Nodes)) - first}
}

// dropsMember reports whether the member v counts as absent and is left
// out of its object.
func (d *decoding) dropsMember(v *Node) bool {
	switch v.Type {
	case Null:
		return d.opts.DropNull
	case Array, Object:
		return d.opts.DropEmpty && v.N == 0
	}
	return false
}

// memberName parses `"name" :` and returns the name.
func (d *decoding) memberName() Span {
	if d.pos >= len(d.src) || d.src[d.pos] != '"' {
		d.setFail(ErrNotJSON)
		return Span{}
	}
	key := d.string()
	d.skipSpace()
	if d.fail == nil && (d.pos >= len(d.src) || d.src[d.pos] != ':') {
		d.setFail(ErrNotJSON)
	}
	d.pos++ // :
	d.skipSpace()
	return key
}

// appendMembers appends the members of an object to t.Nodes sorted by
// name, leaving out those marked dropped, and fails on a name that occurs
// twice (dropped or not: readers disagree on the document). Objects that
// encoding/json wrote from a map are sorted already. Others are sorted by
// position rather than by moving the nodes, which are larger, and the
// order is kept for the next object with the same names in the same
// order, as the elements of an array of structs have: checking the names
// costs less than sorting them. It returns the order it appended them in,
// or sorted: document order.
func (d *decoding) appendMembers(members []Node) (order []int32, sorted bool) {
	t := d.t
	name := func(i int) string { return t.Text(members[i].Key) }
	sorted = true
	for i := 1; i < len(members) && sorted; i++ {
		sorted = name(i-1) < name(i)
	}
	if sorted {
		d.appendInOrder(members, nil, true)
		return nil, true
	}
	order = d.shapes.lookup(t, members)
	if order == nil {
		d.order = d.order[:0]
		for i := range members {
			d.order = append(d.order, int32(i))
		}
		slices.SortFunc(d.order, func(a, b int32) int { return strings.Compare(name(int(a)), name(int(b))) })
		for k := 1; k < len(d.order); k++ {
			if name(int(d.order[k-1])) == name(int(d.order[k])) {
				d.setFail(ErrDuplicateKey)
				return nil, false
			}
		}
		order = d.order
		d.shapes.store(t, members, order)
	}
	d.appendInOrder(members, order, false)
	return order, false
}

// appendInOrder appends members to t.Nodes, those marked dropped left out:
// in document order when sorted, else in order.
func (d *decoding) appendInOrder(members []Node, order []int32, sorted bool) {
	t := d.t
	if sorted {
		for i := range members {
			if !members[i].dropped {
				t.Nodes = append(t.Nodes, members[i])
			}
		}
		return
	}
	for _, i := range order {
		if !members[i].dropped {
			t.Nodes = append(t.Nodes, members[i])
		}
	}
}

// nameIs parses `"name" :` when the name there is written as name, a
// verbatim name of the body (no escapes), and reports whether it was.
func (d *decoding) nameIs(name Span) bool {
	src := d.src
	pos, off, n := d.pos, int(name.off), int(name.n)
	end := pos + 1 + n
	if off < 0 || end >= len(src) || src[pos] != '"' || src[end] != '"' || src[pos+1:end] != src[off:off+n] {
		return false
	}
	d.pos = end + 1
	if d.pos < len(src) && src[d.pos] == ':' { // the usual case: no space
		d.pos++
	} else {
		d.skipSpace()
		if d.pos >= len(src) || src[d.pos] != ':' {
			d.setFail(ErrNotJSON)
		}
		d.pos++ // :
	}
	d.skipSpace()
	return true
}

// consumeSeparator consumes a ',' (and reports true: another item follows)
// or the closing byte (false). Anything else fails the parse.
func (d *decoding) consumeSeparator(closing byte) bool {
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
	d.setFail(ErrNotJSON)
	return false
}

// string parses a JSON string at d.pos (which holds the opening quote) and
// returns the Span of its value.
func (d *decoding) string() Span {
	// Locals, not d's fields, in the loops: the compiler keeps them in
	// registers.
	body := d.body
	start := d.pos + 1 // after "
	pos := start
	// Most strings hold no escapes: look at eight bytes at a time, and go
	// straight to the first that ends the plain run.
	for pos+8 <= len(body) {
		if m := quoteEscapeOrControl(binary.LittleEndian.Uint64(body[pos : pos+8])); m != 0 {
			pos += bits.TrailingZeros64(m) / 8
			break
		}
		pos += 8
	}
	for pos < len(body) {
		switch c := body[pos]; {
		case c == '"':
			d.pos = pos + 1
			return Span{int32(start), int32(pos - start)}
		case c == '\\':
			d.pos = pos
			return d.escapedString(start)
		case c < 0x20:
			d.pos = pos
			d.setFail(ErrNotJSON)
			return Span{}
		}
		pos++
	}
	d.pos = pos
	d.setFail(ErrNotJSON)
	return Span{}
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
func (d *decoding) escapedString(start int) Span {
	src := d.src
	b := []byte(src[start:d.pos])
	for d.pos < len(src) {
		c := src[d.pos]
		switch {
		case c == '"':
			d.pos++
			return d.t.AddText(string(b))
		case c < 0x20:
			d.setFail(ErrNotJSON)
			return Span{}
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
				return Span{}
			}
			if utf16.IsSurrogate(r) {
				if r, ok = d.lowSurrogate(r); !ok {
					// A lone surrogate names no character; decoders replace
					// it with U+FFFD, so two different ones would look equal.
					d.setFail(ErrInvalidUTF8)
					return Span{}
				}
			}
			b = utf8.AppendRune(b, r)
		default:
			d.setFail(ErrNotJSON)
			return Span{}
		}
	}
	d.setFail(ErrNotJSON)
	return Span{}
}

// hex4 reads the four hex digits of a \u escape.
func (d *decoding) hex4() (rune, bool) {
	if d.pos+4 > len(d.src) {
		d.setFail(ErrNotJSON)
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
			d.setFail(ErrNotJSON)
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	d.pos += 4
	return r, true
}

// lowSurrogate completes the UTF-16 surrogate pair whose first half is
// high; it reports false when no matching second half follows.
func (d *decoding) lowSurrogate(high rune) (rune, bool) {
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
