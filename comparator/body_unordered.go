package comparator

import (
	"github.com/shadowread/shadowread/comparator/internal/jsonnum"

	"github.com/shadowread/shadowread/comparator/internal/jsontree"
)

// matchUnordered pairs each element of xs with an equal element of ys, each
// used once. match[i] is the index in ys paired with xs[i], or -1.
// complete reports that every element of both found a partner.
//
// It tries the same position first, so arrays in the same order cost one
// pass. An element out of place is looked for only among the elements of
// ys with its matchKey; with exact rules those are equal elements, so the
// search stays about linear. Under tolerances it is greedy: an element may
// take a partner that a later one needed.
func (p docPair) matchUnordered(xs, ys []jsontree.Node) (match []int, complete bool) {
	match = make([]int, len(xs))
	used := make([]bool, len(ys))
	complete = len(xs) == len(ys)
	var buckets map[uint64][]int // indexes into ys by matchKey, built when first needed
	for i := range xs {
		match[i] = -1
		if i < len(ys) && !used[i] && p.equal(&xs[i], &ys[i]) {
			match[i], used[i] = i, true
			continue
		}
		if buckets == nil {
			buckets = make(map[uint64][]int)
			for j := range ys {
				k := p.c.matchKey(p.y, &ys[j])
				buckets[k] = append(buckets[k], j)
			}
		}
		key := p.c.matchKey(p.x, &xs[i])
		bucket := buckets[key]
		for b := 0; b < len(bucket); {
			j := bucket[b]
			if used[j] {
				// Taken (maybe by its position): drop it for good.
				bucket[b] = bucket[len(bucket)-1]
				bucket = bucket[:len(bucket)-1]
				continue
			}
			if p.equal(&xs[i], &ys[j]) {
				match[i], used[j] = j, true
				bucket[b] = bucket[len(bucket)-1]
				bucket = bucket[:len(bucket)-1]
				break
			}
			b++
		}
		buckets[key] = bucket
		if match[i] < 0 {
			complete = false
		}
	}
	return match, complete
}

// matchKey hashes n, a node of t, so that values equal under the options
// hash the same: exactly where the rules are exact, and coarsely (a number
// is just a number) where tolerances could make different spellings equal.
func (c *jsonComparator) matchKey(t *jsontree.Tree, n *jsontree.Node) uint64 {
	h := newFNV()
	c.writeMatchKey(&h, t, n)
	return uint64(h)
}

func (c *jsonComparator) writeMatchKey(h *fnv64, t *jsontree.Tree, n *jsontree.Node) {
	typ := n.Type
	text := t.Text(n.Text)
	if typ == jsontree.String && c.numericStrings && jsonnum.IsLiteral(text) {
		typ = jsontree.Number // may equal a number
	}
	h.writeByte(byte(typ))
	switch typ {
	case jsontree.Number:
		if c.absTol == 0 && c.relTol == 0 {
			h.writeString(jsonnum.DecimalKey(text))
		}
	case jsontree.String:
		if !c.compareTimes {
			h.writeString(text)
		} else if _, isTime := parseTimestamp(text); !isTime {
			h.writeString(text) // timestamps may equal other spellings
		}
	case jsontree.Array:
		kids := t.Kids(n)
		// Arrays that may be matched by key are equal in any order too.
		if !n.Unordered && c.keyName(n) == "" {
			for i := range kids {
				c.writeMatchKey(h, t, &kids[i])
			}
			break
		}
		// Order must not matter: add the elements' own keys up.
		var sum uint64
		for i := range kids {
			sum += c.matchKey(t, &kids[i])
		}
		for range 8 {
			h.writeByte(byte(sum))
			sum >>= 8
		}
	case jsontree.Object:
		kids := t.Kids(n)
		for i := range kids {
			h.writeString(t.Text(kids[i].Key))
			h.writeByte(0)
			c.writeMatchKey(h, t, &kids[i])
		}
	case jsontree.Bool:
		h.writeString(text)
	}
	h.writeByte(0xff) // ends the value, so neighbours cannot run together
}

// fnv64 is a 64-bit FNV-1a hash, kept in a plain integer so that hashing
// allocates nothing.
type fnv64 uint64

func newFNV() fnv64 { return 14695981039346656037 }

func (h *fnv64) writeByte(b byte) {
	*h ^= fnv64(b)
	*h *= 1099511628211
}

func (h *fnv64) writeString(s string) {
	for i := 0; i < len(s); i++ {
		h.writeByte(s[i])
	}
}

// alignUnordered lines the elements of an unordered array bs up against
// as: each against its equal partner, then the elements without one
// against each other, in order (so their differences show member by
// member), then what is left of bs after the end of as.
func (p docPair) alignUnordered(as, bs []jsontree.Node) []int {
	match, _ := p.matchUnordered(as, bs)
	used := make([]bool, len(bs))
	for _, j := range match {
		if j >= 0 {
			used[j] = true
		}
	}
	var spare []int
	for j := range bs {
		if !used[j] {
			spare = append(spare, j)
		}
	}
	order := match
	for i := range order {
		if order[i] < 0 && len(spare) > 0 {
			order[i], spare = spare[0], spare[1:]
		}
	}
	return append(order, spare...)
}
