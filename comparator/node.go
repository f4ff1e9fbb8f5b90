package comparator

// jsonType is the JSON type of a decoded value.
type jsonType uint8

const (
	typeNull jsonType = iota
	typeBool
	typeNumber
	typeString
	typeArray
	typeObject
)

// tree is a decoded JSON document. The comparator decodes into this rather
// than into map[string]any: number literals stay exact, object members stay
// in a sorted run that two objects can be merged over, and the nodes hold
// no pointers. All nodes live in one slice and their text in the body
// itself, so decoding allocates a few blocks instead of a value per node,
// and the garbage collector has nothing to trace inside them.
type tree struct {
	src   string   // the body
	extra []string // text that is not a substring of src: unescaped strings, Normalize results
	nodes []node   // nodes[0] is the root
	// missingDropped: decoding left out the members that count as absent.
	missingDropped bool
}

// node is one value of a tree.
type node struct {
	typ jsonType
	// unordered marks an array at an [UnorderedPaths] path.
	unordered bool
	// keyed is, for an array at a [KeyedArrays] path, 1 + the index of the
	// rule's member name in jsonComparator.keyNames; 0 for none.
	keyed uint8
	// dropped marks, while an object is decoded, a member that counts as
	// absent (see dropMembers).
	dropped bool
	// text is a string's value, a number's literal, or "true"/"false".
	text span
	// key is the member's name, for a member of an object.
	key span
	// The children of an array or object are nodes[first : first+n];
	// an object's are sorted by key.
	first, n int32
}

// span locates text: src[off : off+n], or extra[-off-1] when off < 0.
type span struct {
	off, n int32
}

func (t *tree) text(s span) string {
	if s.off < 0 {
		return t.extra[-s.off-1]
	}
	return t.src[s.off : s.off+s.n]
}

// addText stores s in extra and returns its span.
func (t *tree) addText(s string) span {
	t.extra = append(t.extra, s)
	return span{off: -int32(len(t.extra)), n: int32(len(s))}
}

// kids returns the children of n.
func (t *tree) kids(n *node) []node {
	return t.nodes[n.first : n.first+n.n]
}

// root returns the root of the document.
func (t *tree) root() *node { return &t.nodes[0] }
