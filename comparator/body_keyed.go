package comparator

import (
	"strconv"
	"strings"

	"github.com/shadowread/shadowread/comparator/internal/jsonnum"
	"github.com/shadowread/shadowread/comparator/internal/jsontree"
)

// keyName returns the member that identifies the elements of the array n
// ([KeyedArrays]), or "" when its elements are not matched by key.
func (c *jsonComparator) keyName(n *jsontree.Node) string {
	if n.Keyed > 0 {
		return c.keyNames[n.Keyed-1]
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
	typ  jsontree.Type
	text string
}

// memberKey returns the identity of the member name of n, an element in t,
// and reports whether n is an object with such a member holding a string,
// number or boolean.
func memberKey(t *jsontree.Tree, n *jsontree.Node, name string) (keyID, *jsontree.Node, bool) {
	v := member(t, n, name)
	if v == nil {
		return keyID{}, nil, false
	}
	switch v.Type {
	case jsontree.String, jsontree.Bool:
		return keyID{v.Type, t.Text(v.Text)}, v, true
	case jsontree.Number:
		return keyID{v.Type, numberIdentity(t.Text(v.Text))}, v, true
	}
	return keyID{}, nil, false
}

// member returns the member name of n, or nil when n is not an object or
// has no such member. Members are sorted by name.
func member(t *jsontree.Tree, n *jsontree.Node, name string) *jsontree.Node {
	if n.Type != jsontree.Object {
		return nil
	}
	kids := t.Kids(n)
	lo, hi := 0, len(kids)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if t.Text(kids[mid].Key) < name {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < len(kids) && t.Text(kids[lo].Key) == name {
		return &kids[lo]
	}
	return nil
}

// keyMatch pairs the elements of as and bs by their member name. match[i]
// is the index in bs of the element with the key of as[i], or -1; extra
// lists the elements of bs without a partner, in order; linedUp reports
// that every element's partner stands at its own position. ok is false
// when the array cannot be matched by key: some element on either side is
// not an object with a scalar member name, or two carry the same key.
func (p docPair) keyMatch(as, bs []jsontree.Node, name string) (match, extra []int, linedUp, ok bool) {
	index, seen := p.keyIndexes()
	for j := range bs {
		id, _, ok := memberKey(p.y, &bs[j], name)
		if !ok {
			return nil, nil, false, false
		}
		if _, dup := index[id]; dup {
			return nil, nil, false, false
		}
		index[id] = j
	}
	match = make([]int, len(as))
	used := make([]bool, len(bs))
	linedUp = len(as) == len(bs)
	for i := range as {
		id, _, ok := memberKey(p.x, &as[i], name)
		if !ok || seen[id] {
			return nil, nil, false, false
		}
		seen[id] = true
		match[i] = -1
		if j, found := index[id]; found {
			match[i], used[j] = j, true
		}
		linedUp = linedUp && match[i] == i
	}
	for j := range bs {
		if !used[j] {
			extra = append(extra, j)
		}
	}
	return match, extra, linedUp, true
}

// keyIndexes returns two empty maps for keyMatch: kept in the comparison's
// buffers when it has them, as keyMatch does not nest.
func (p docPair) keyIndexes() (map[keyID]int, map[keyID]bool) {
	if p.scratch == nil {
		return map[keyID]int{}, map[keyID]bool{}
	}
	s := p.scratch
	if s.keyIndex == nil {
		s.keyIndex, s.keySeen = map[keyID]int{}, map[keyID]bool{}
	}
	clear(s.keyIndex)
	clear(s.keySeen)
	return s.keyIndex, s.keySeen
}

// keyOf returns the elementKey of n, an element in t of an array matched
// by name.
func keyOf(t *jsontree.Tree, n *jsontree.Node, name string) elementKey {
	v := member(t, n, name)
	lit := t.Text(v.Text)
	if v.Type == jsontree.String {
		lit = quoteKey(lit)
	}
	return elementKey{member: name, value: lit}
}

// maxPlainKey bounds the plain decimal spelling numberIdentity uses.
const maxPlainKey = 40

// numberIdentity returns a spelling of the JSON number lit that two
// literals share exactly when they name the same number, like
// jsonnum.DecimalKey, but without allocating for the usual keys: the plain
// decimal form (no exponent, no trailing zeros in the fraction, no "-0"),
// which is unique, when it is at most maxPlainKey bytes; else
// jsonnum.DecimalKey's.
func numberIdentity(lit string) string {
	if plain := jsonnum.TrimFraction(lit); plain != "" && len(plain) <= maxPlainKey {
		if plain == "-0" {
			return "0"
		}
		return plain
	}
	key := jsonnum.DecimalKey(lit)
	if plain, ok := plainFromKey(key); ok {
		return plain
	}
	return key
}

// plainFromKey writes a jsonnum.DecimalKey ("-125e-1") in plain decimal form
// ("-12.5") when that is at most maxPlainKey bytes.
func plainFromKey(key string) (string, bool) {
	if key == "0" {
		return "0", true
	}
	e := strings.LastIndexByte(key, 'e')
	exp, err := strconv.Atoi(key[e+1:])
	if err != nil || exp > maxPlainKey || exp < -maxPlainKey {
		return "", false
	}
	sign, digits := "", key[:e]
	if digits[0] == '-' {
		sign, digits = "-", digits[1:]
	}
	var plain string
	switch {
	case exp >= 0:
		plain = sign + digits + strings.Repeat("0", exp)
	case -exp < len(digits):
		plain = sign + digits[:len(digits)+exp] + "." + digits[len(digits)+exp:]
	default:
		plain = sign + "0." + strings.Repeat("0", -exp-len(digits)) + digits
	}
	return plain, len(plain) <= maxPlainKey
}

// keyedEnd is an element found missing in the shadow or extra there, in an
// array matched by key: diffs[index] of a result, in the array at path
// array.
type keyedEnd struct {
	index int
	array string
	kind  Kind
}

// balancedNote is the note of the elements of a keyed array that has as
// many missing as extra.
const balancedNote = "ordering or page boundary: as many elements missing in the shadow as extra there"

// balanceKeyed triages the missing and extra elements of every array
// matched by key that has as many of one as of the other: a page cut at
// another place (a sort on another column, a page boundary) looks just
// like that, so the elements are not known to be lost. ends must list all
// such elements of diffs.
func balanceKeyed(diffs []Diff, ends []keyedEnd) {
	if len(ends) < 2 {
		return
	}
	count := make(map[string]int, len(ends)) // missing minus extra, per array
	for _, e := range ends {
		if e.kind == MissingInShadow {
			count[e.array]++
		} else {
			count[e.array]--
		}
	}
	for _, e := range ends {
		if count[e.array] == 0 {
			diffs[e.index].Hint = Hint{Triage: TriageUnknown, Note: balancedNote}
		}
	}
}
