package jsontree

import (
	"math"
	"unicode/utf8"
	"unsafe"
)

// Reader reads a JSON document value by value, by Decode's rules, for a
// caller that compares it against a tree as it goes instead of building a
// second one. Every step that finds the body is not a document Decode
// accepts marks the reader failed (Failed); the caller then decodes the
// body to learn why. The zero Reader is ready to use.
type Reader struct {
	d decoding
	// tree holds the text of escaped strings and the values read whole.
	tree Tree
}

// Reset starts reading body with opts, and reports false (and fails) when
// Decode refuses it before parsing: too large or invalid UTF-8. body must
// not be modified until the reader is released or reset.
func (r *Reader) Reset(body []byte, opts Options) bool {
	t := &r.tree
	t.src = unsafe.String(unsafe.SliceData(body), len(body))
	clear(t.extra)
	t.extra = t.extra[:0]
	t.Nodes = t.Nodes[:0]
	r.d = decoding{src: t.src, body: body, t: t, opts: opts, stack: r.d.stack[:0], order: r.d.order[:0], shapes: r.d.shapes}
	if r.d.shapes == nil {
		r.d.shapes = new(shapeCache)
	}
	if len(body) > math.MaxInt32 || !utf8.Valid(body) {
		r.d.setFail(ErrNotJSON)
		return false
	}
	return true
}

// Release forgets the body r last read.
func (r *Reader) Release() {
	r.tree.src = ""
	clear(r.tree.extra)
	r.tree.extra = r.tree.extra[:0]
	r.d.src, r.d.body = "", nil
	if r.d.shapes != nil {
		r.d.shapes.forget()
	}
}

// Failed reports whether a step found the body is no document Decode
// accepts.
func (r *Reader) Failed() bool { return r.d.fail != nil }

// Container returns Object or Array when one starts at the reader's
// position (after space), for Open or Value; else Null: a scalar, or no
// value at all, for Scalar.
func (r *Reader) Container() Type {
	switch r.Peek() {
	case '{':
		return Object
	case '[':
		return Array
	}
	return Null
}

// Peek skips space and returns the byte that starts the next value, or 0
// at the end of the body, without reading it: a caller that compares as
// it reads picks its way by it ('{' or '[' for Open, '"' for Quoted, '-'
// or a digit for Number, else Scalar).
func (r *Reader) Peek() byte {
	d := &r.d
	d.skipSpace()
	if d.pos < len(d.src) {
		return d.src[d.pos]
	}
	return 0
}

// Number reads the number at the reader's position, as Scalar would, and
// returns its literal; false when it is not one (and the reader failed).
func (r *Reader) Number() (string, bool) {
	d := &r.d
	start := d.pos
	n := d.number()
	return d.src[start:d.pos], n.Type == Number
}

// Scalar reads the scalar at the reader's position and returns its type
// and text, as a Node of Decode's tree holds them ("" for null). The text
// stays valid until the reader is reset or released.
func (r *Reader) Scalar() (Type, string) {
	r.d.skipSpace()
	n := r.d.value()
	return n.Type, r.tree.Text(n.Text)
}

// Open enters the container Container announced; it fails (and reports
// false) when the container nests deeper than Options.MaxDepth.
func (r *Reader) Open() bool {
	if r.d.depth >= r.d.opts.MaxDepth {
		r.d.setFail(ErrTooDeep)
		return false
	}
	r.d.depth++
	r.d.pos++ // [ or {
	return true
}

// More reports whether the container of type typ opened last holds
// another item, consuming the comma before it or the closing bracket;
// first says no item was read yet. An object's item starts with Name.
func (r *Reader) More(typ Type, first bool) bool {
	closing := byte(']')
	if typ == Object {
		closing = '}'
	}
	r.d.skipSpace()
	if first {
		if r.d.pos < len(r.d.src) && r.d.src[r.d.pos] == closing {
			r.d.pos++
			r.d.depth--
			return false
		}
		return r.d.fail == nil
	}
	if r.d.fail == nil && r.d.consumeSeparator(closing) {
		return true
	}
	r.d.depth--
	return false
}

// Name reads a member's name and the colon after it. The name stays valid
// until the reader is reset or released.
func (r *Reader) Name() string {
	r.d.skipSpace()
	return r.tree.Text(r.d.memberName())
}

// Value reads the value at the reader's position whole, into a tree of
// the reader's own as Decode would (Options' drops and duplicate keys
// included), and returns its root, valid until the next call.
func (r *Reader) Value() *Node {
	r.tree.Nodes = r.tree.Nodes[:0]
	r.d.skipSpace()
	v := r.d.value()
	r.tree.Nodes = append(r.tree.Nodes, v)
	return &r.tree.Nodes[len(r.tree.Nodes)-1]
}

// Done reports whether the document ended after its value, with nothing
// but space after it, and no step failed.
func (r *Reader) Done() bool {
	r.d.skipSpace()
	return r.d.fail == nil && r.d.pos == len(r.d.src)
}

// Quoted reads the string at the reader's position and reports true when
// it is written exactly `"text"`; else it reads nothing and reports false.
// text must hold no quote, backslash or control character (as a Verbatim
// text does), so that those bytes are a valid string of value text.
func (r *Reader) Quoted(text string) bool {
	d := &r.d
	d.skipSpace()
	end := QuotedAt(d.src, d.pos, text)
	if end < 0 {
		return false
	}
	d.pos = end
	return true
}

// QuotedAt returns the end of `"text"` when src holds exactly that at pos,
// else -1. text must hold no quote, backslash or control character (see
// Quoted).
func QuotedAt(src string, pos int, text string) int {
	end := pos + 1 + len(text)
	if end < len(src) && src[pos] == '"' && src[end] == '"' && src[pos+1:end] == text {
		return end + 1
	}
	return -1
}

// Member is More for an object, and then, when a member follows whose
// name is written exactly `"want"` (see Quoted), reads that name and the
// colon after it: one step for the member a caller expects next, the
// usual case. It reports whether a member follows and whether its name
// was read; when it was not, Name reads it. expect false looks for no
// name.
func (r *Reader) Member(first bool, want string, expect bool) (more, named bool) {
	d := &r.d
	d.skipSpace()
	switch {
	case d.fail != nil:
		if !first {
			d.depth--
		}
		return false, false
	case d.pos < len(d.src) && d.src[d.pos] == '}':
		d.pos++
		d.depth--
		return false, false
	case !first:
		if d.pos >= len(d.src) || d.src[d.pos] != ',' {
			d.setFail(ErrNotJSON)
			d.depth--
			return false, false
		}
		d.pos++
		d.skipSpace()
	}
	if !expect {
		return true, false
	}
	src, pos := d.src, d.pos
	end := pos + 1 + len(want)
	if end >= len(src) || src[pos] != '"' || src[end] != '"' || src[pos+1:end] != want {
		return true, false
	}
	d.pos = end + 1
	if d.pos < len(src) && src[d.pos] == ':' { // the usual case: no space
		d.pos++
	} else {
		d.skipSpace()
		if d.pos >= len(src) || src[d.pos] != ':' {
			d.setFail(ErrNotJSON)
			return true, true
		}
		d.pos++
	}
	d.skipSpace()
	return true, true
}

// Pos returns the reader's position in the body and the depth of the
// containers open there, for a caller that reads some of the body itself
// and hands the rest back with At.
func (r *Reader) Pos() (pos, depth int) { return r.d.pos, r.d.depth }

// At moves the reader to pos, at depth containers open, where a caller
// that read the body itself up to there hands it back: the value or
// member name there is read by Scalar, Name or Value.
func (r *Reader) At(pos, depth int) {
	r.d.pos, r.d.depth = pos, depth
}

// MaxDepth returns how deeply the reader lets containers nest.
func (r *Reader) MaxDepth() int { return r.d.opts.MaxDepth }

// Body returns the body the reader reads, as a string that shares its
// bytes: valid until the reader is reset or released.
func (r *Reader) Body() string { return r.d.src }
