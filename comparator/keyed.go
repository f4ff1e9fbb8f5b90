package comparator

import (
	"slices"
	"strings"
)

// keyName returns the member that identifies the elements of the array n
// ([KeyedArrays]), or "" when its elements are not matched by key.
func (c *jsonComparator) keyName(n *node) string {
	if n.keyed > 0 {
		return c.keyNames[n.keyed-1]
	}
	return c.anyKey
}

// elementKey stands for an element of an array matched by key: in the maps
// go-cmp compares, and in diff paths as `[member=value]`, value being the
// key's JSON literal on the primary's side.
type elementKey struct {
	member, value string
}

// keyID is the identity of a key value: two keys are the same when they
// have the same type and, for numbers, the same decimal value.
type keyID struct {
	typ  jsonType
	text string
}

// memberKey returns the identity of the member name of n, an element in t,
// and reports whether n is an object with such a member holding a string,
// number or boolean.
func memberKey(t *tree, n *node, name string) (keyID, *node, bool) {
	v := member(t, n, name)
	if v == nil {
		return keyID{}, nil, false
	}
	switch v.typ {
	case typeString, typeBool:
		return keyID{v.typ, t.text(v.text)}, v, true
	case typeNumber:
		return keyID{v.typ, decimalKey(t.text(v.text))}, v, true
	}
	return keyID{}, nil, false
}

// member returns the member name of n, or nil when n is not an object or
// has no such member. Members are sorted by name.
func member(t *tree, n *node, name string) *node {
	if n.typ != typeObject {
		return nil
	}
	kids := t.kids(n)
	i, found := slices.BinarySearchFunc(kids, name, func(k node, name string) int {
		return strings.Compare(t.text(k.key), name)
	})
	if !found {
		return nil
	}
	return &kids[i]
}

// keysLineUp reports whether the elements of as and bs, as many on both
// sides, carry the same raw key at every position: then matching by key
// pairs them by position, or the array is not keyed at all.
func (p docPair) keysLineUp(as, bs []node, name string) bool {
	if len(as) != len(bs) {
		return false
	}
	for i := range as {
		ka, kb := member(p.x, &as[i], name), member(p.y, &bs[i], name)
		if ka == nil || kb == nil || ka.typ != kb.typ || p.x.text(ka.text) != p.y.text(kb.text) {
			return false
		}
	}
	return true
}

// keyMatch pairs the elements of as and bs by their member name. match[i]
// is the index in bs of the element with the key of as[i], or -1; extra
// lists the elements of bs without a partner, in order. ok is false when
// the array cannot be matched by key: some element on either side is not
// an object with a scalar member name, or two carry the same key.
func (p docPair) keyMatch(as, bs []node, name string) (match, extra []int, ok bool) {
	index := make(map[keyID]int, len(bs))
	for j := range bs {
		id, _, ok := memberKey(p.y, &bs[j], name)
		if !ok {
			return nil, nil, false
		}
		if _, dup := index[id]; dup {
			return nil, nil, false
		}
		index[id] = j
	}
	match = make([]int, len(as))
	used := make([]bool, len(bs))
	seen := make(map[keyID]bool, len(as))
	for i := range as {
		id, _, ok := memberKey(p.x, &as[i], name)
		if !ok || seen[id] {
			return nil, nil, false
		}
		seen[id] = true
		match[i] = -1
		if j, found := index[id]; found {
			match[i], used[j] = j, true
		}
	}
	for j := range bs {
		if !used[j] {
			extra = append(extra, j)
		}
	}
	return match, extra, true
}

// keyOf returns the elementKey of n, an element in t of an array matched
// by name.
func keyOf(t *tree, n *node, name string) elementKey {
	v := member(t, n, name)
	lit := t.text(v.text)
	if v.typ == typeString {
		lit = quoteKey(lit)
	}
	return elementKey{member: name, value: lit}
}
