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
