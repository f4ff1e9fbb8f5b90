package jsontree

import "unsafe"

// Type is the JSON type of a decoded value.
type Type uint8

const (
	Null Type = iota
	Bool
	Number
	String
	Array
	Object
)

// Tree is a decoded JSON document. The comparator decodes into this rather
// than into map[string]any: number literals stay exact, object members stay
// in a sorted run that two objects can be merged over, and the nodes hold
// no pointers. All nodes live in one slice and their text in the body
// itself, so decoding allocates a few blocks instead of a value per node,
// and the garbage collector has nothing to trace inside them.
type Tree struct {
	src   string   // the body
	extra []string // text that is not a substring of src: unescaped strings, added text
	// Nodes holds every node; Nodes[0] is the root. A user of the tree may
	// rewrite nodes in place and append new ones.
	Nodes []Node
	// MissingDropped: decoding left out the members that count as absent
	// ([Options]).
	MissingDropped bool
}

// Node is one value of a Tree.
type Node struct {
	Type Type
	// Unordered and Keyed are marks for the user of the tree, which
	// decoding leaves unset: an array whose elements are matched in any
	// order, and one whose elements are matched by the value of a member
	// (1 + an index into the user's list of member names; 0 for none).
	Unordered bool
	Keyed     uint8
	// dropped marks, while an object is decoded, a member that counts as
	// absent (see Options).
	dropped bool
	// Text is a string's value, a number's literal, or "true"/"false".
	Text Span
	// Key is the member's name, for a member of an object.
	Key Span
	// The children of an array or object are Nodes[First : First+N];
	// an object's are sorted by key.
	First, N int32
}

// Span locates text: src[off : off+n], or extra[-off-1] when off < 0.
type Span struct {
	off, n int32
}

// Text returns the text s locates.
func (t *Tree) Text(s Span) string {
	if s.off < 0 {
		return t.extra[-s.off-1]
	}
	return t.src[s.off : s.off+s.n]
}

// AddText stores s, text that is not part of the body, and returns its
// span.
func (t *Tree) AddText(s string) Span {
	t.extra = append(t.extra, s)
	return Span{off: -int32(len(t.extra)), n: int32(len(s))}
}

// Kids returns the children of n.
func (t *Tree) Kids(n *Node) []Node {
	return t.Nodes[n.First : n.First+n.N]
}

// Root returns the root of the document.
func (t *Tree) Root() *Node { return &t.Nodes[0] }

// Find returns the index in members, the sorted members of an object of
// t, of the one named name, or -1.
func (t *Tree) Find(members []Node, name string) int {
	lo, hi := 0, len(members)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if t.Text(members[mid].Key) < name {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < len(members) && t.Text(members[lo].Key) == name {
		return lo
	}
	return -1
}

// Verbatim returns the text s locates and reports whether it is the body's
// own bytes between quotes: a string or name that holds no escapes, which
// is also how it is written.
func (t *Tree) Verbatim(s Span) (string, bool) {
	return t.Text(s), s.off >= 0
}

// CopyTo makes dst a copy of t that shares t's text, reusing dst's slices:
// a tree to rewrite scalars in (SetScalar) while t stays as it is.
func (t *Tree) CopyTo(dst *Tree) {
	dst.src = t.src
	clear(dst.extra)
	dst.extra = append(dst.extra[:0], t.extra...)
	dst.Nodes = append(dst.Nodes[:0], t.Nodes...)
	dst.MissingDropped = t.MissingDropped
}

// SetScalar makes t.Nodes[i] the scalar of type typ with text text (as a
// Node's Text holds it), keeping its key.
func (t *Tree) SetScalar(i int, typ Type, text string) {
	n := &t.Nodes[i]
	n.Type, n.Text, n.First, n.N = typ, t.AddText(text), 0, 0
}

// Index returns the index in t.Nodes of n, which must be one of them.
func (t *Tree) Index(n *Node) int {
	return int((uintptr(unsafe.Pointer(n)) - uintptr(unsafe.Pointer(unsafe.SliceData(t.Nodes)))) / unsafe.Sizeof(Node{}))
}

// Forget drops the text t shares with a body, keeping its slices for
// reuse.
func (t *Tree) Forget() {
	t.src = ""
	clear(t.extra)
	t.extra = t.extra[:0]
}
