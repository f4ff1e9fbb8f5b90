package jsontree

// shapeCache remembers the sorted order of the members of the last few
// unsorted objects, by their names in document order, so that objects of
// the same shape (the elements of an array of structs) reuse it.
type shapeCache struct {
	entries [8]shape
}

// shape is one remembered object: its member names in document order,
// and order[k], the position in that list of the k-th name sorted.
type shape struct {
	names []string
	order []int32
}

// slot picks the entry for an object with these members.
func (c *shapeCache) slot(t *Tree, members []Node) *shape {
	h := uint(len(members))*31 + uint(members[0].Key.n)
	return &c.entries[h%uint(len(c.entries))]
}

// lookup returns the sorted order of members when an object with the same
// names in the same order was stored, else nil.
func (c *shapeCache) lookup(t *Tree, members []Node) []int32 {
	e := c.slot(t, members)
	if len(e.names) != len(members) {
		return nil
	}
	for i := range members {
		if e.names[i] != t.Text(members[i].Key) {
			return nil
		}
	}
	return e.order
}

// store remembers the sorted order of members, which hold no name twice.
func (c *shapeCache) store(t *Tree, members []Node, order []int32) {
	e := c.slot(t, members)
	e.names = e.names[:0]
	for i := range members {
		e.names = append(e.names, t.Text(members[i].Key))
	}
	e.order = append(e.order[:0], order...)
}

// forget drops the names, which point into the body.
func (c *shapeCache) forget() {
	for i := range c.entries {
		clear(c.entries[i].names)
		c.entries[i].names = c.entries[i].names[:0]
	}
}

// sibling is the shape of the last object decoded at one depth: its
// names, in document order, and the order that sorts them. The next object
// there (the next element of an array of structs) is read against it: its
// names are compared as bytes with these rather than parsed, and when all
// match, in number too, it takes the order without checking or sorting
// its names again, nor looking for one twice (these hold none).
type sibling struct {
	names  []Span // each the body's own bytes (no escapes)
	order  []int32
	sorted bool // in document order already; order unused
	valid  bool
}

// remember keeps the shape of members, the members of an object that
// appendMembers appended in order (or in document order when sorted).
// An object with an escaped name is not kept.
func (s *sibling) remember(members []Node, order []int32, sorted bool) {
	s.valid = false
	s.names = s.names[:0]
	for i := range members {
		if members[i].Key.off < 0 {
			return
		}
		s.names = append(s.names, members[i].Key)
	}
	s.order = append(s.order[:0], order...)
	s.sorted, s.valid = sorted, true
}

// resetSiblings returns siblings for a decode of up to maxDepth levels,
// none valid: their names belong to the last body.
func resetSiblings(siblings []sibling, maxDepth int) []sibling {
	for i := range siblings {
		siblings[i].valid = false
	}
	for len(siblings) <= maxDepth {
		siblings = append(siblings, sibling{})
	}
	return siblings
}
