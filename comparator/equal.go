package comparator

import (
	"encoding/binary"
	"hash"
	"hash/fnv"
	"io"
	"math"
	"strconv"
	"time"
)

// docPair holds the two documents of a comparison. Its methods take a
// node of the primary's document as a and one of the shadow's as b.
type docPair struct {
	c    *jsonComparator
	x, y *tree
}

// equal reports whether a and b are equal under the options. It stops at
// the first difference and allocates nothing (unordered arrays aside):
// this is all a matching pair pays for.
func (p docPair) equal(a, b *node) bool {
	if a.typ != b.typ || a.typ < typeArray {
		return p.leafEqual(a, b)
	}
	if a.n != b.n {
		return false
	}
	as, bs := p.x.kids(a), p.y.kids(b)
	if a.typ == typeArray && a.unordered {
		_, complete := p.matchUnordered(as, bs)
		return complete
	}
	for i := range as {
		// Members are sorted by key, so equal key sets line up.
		if a.typ == typeObject && p.x.text(as[i].key) != p.y.text(bs[i].key) {
			return false
		}
		if !p.equal(&as[i], &bs[i]) {
			return false
		}
	}
	return true
}

// leafEqual reports whether a and b, of which at least one is not an array
// or object, are equal.
func (p docPair) leafEqual(a, b *node) bool {
	if a.typ != b.typ {
		x, y, ok := p.numericPair(a, b)
		return ok && p.c.numbersEqual(x, y)
	}
	switch a.typ {
	case typeNull:
		return true
	case typeNumber:
		return p.c.numbersEqual(p.x.text(a.text), p.y.text(b.text))
	case typeString:
		x, y := p.x.text(a.text), p.y.text(b.text)
		return x == y || (p.c.compareTimes && p.c.timesEqual(x, y))
	case typeBool:
		return p.x.text(a.text) == p.y.text(b.text)
	}
	return false // containers are compared by equal
}

// numericPair returns the literals of a number and a string that holds a
// JSON number, when [NumericStrings] is on and a and b are such a pair.
func (p docPair) numericPair(a, b *node) (string, string, bool) {
	if !p.c.numericStrings || !(a.typ == typeNumber && b.typ == typeString || a.typ == typeString && b.typ == typeNumber) {
		return "", "", false
	}
	x, y := p.x.text(a.text), p.y.text(b.text)
	return x, y, isNumberLiteral(x) && isNumberLiteral(y)
}

// numbersEqual compares two JSON number literals: by decimal value, or
// within the float tolerance where one of them is not an integer.
func (c *jsonComparator) numbersEqual(a, b string) bool {
	if a == b {
		return true
	}
	if (c.absTol > 0 || c.relTol > 0) && !(isIntegerLiteral(a) && isIntegerLiteral(b)) {
		fa, errA := strconv.ParseFloat(a, 64)
		fb, errB := strconv.ParseFloat(b, 64)
		// Beyond float64's range only the exact comparison below is sound.
		if errA == nil && errB == nil {
			diff := math.Abs(fa - fb)
			return diff <= c.absTol || diff <= c.relTol*math.Max(math.Abs(fa), math.Abs(fb))
		}
	}
	return decimalKey(a) == decimalKey(b)
}

// timesEqual reports whether a and b are RFC 3339 timestamps at most the
// time precision apart.
func (c *jsonComparator) timesEqual(a, b string) bool {
	ta, ok := parseTimestamp(a)
	if !ok {
		return false
	}
	tb, ok := parseTimestamp(b)
	if !ok {
		return false
	}
	d := ta.Sub(tb) // saturates instead of overflowing
	return d <= c.timePrecision && d >= -c.timePrecision
}

// parseTimestamp parses an RFC 3339 timestamp, with any number of fraction
// digits up to nanoseconds.
func parseTimestamp(s string) (time.Time, bool) {
	// Most strings are not timestamps; a look at the shape avoids the parse.
	if len(s) < len("2006-01-02T15:04:05Z") || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}

// matchUnordered pairs each element of xs with an equal element of ys, each
// used once. match[i] is the index in ys paired with xs[i], or -1.
// complete reports that every element of both found a partner.
//
// It tries the same position first, so arrays in the same order cost one
// pass. An element out of place is looked for only among the elements of
// ys with its matchKey; with exact rules those are equal elements, so the
// search stays about linear. Under tolerances it is greedy: an element may
// take a partner that a later one needed.
func (p docPair) matchUnordered(xs, ys []node) (match []int, complete bool) {
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
func (c *jsonComparator) matchKey(t *tree, n *node) uint64 {
	h := fnv.New64a()
	c.writeMatchKey(h, t, n)
	return h.Sum64()
}

func (c *jsonComparator) writeMatchKey(h hash.Hash64, t *tree, n *node) {
	typ := n.typ
	text := t.text(n.text)
	if typ == typeString && c.numericStrings && isNumberLiteral(text) {
		typ = typeNumber // may equal a number
	}
	h.Write([]byte{byte(typ)})
	switch typ {
	case typeNumber:
		if c.absTol == 0 && c.relTol == 0 {
			io.WriteString(h, decimalKey(text))
		}
	case typeString:
		if !c.compareTimes {
			io.WriteString(h, text)
		} else if _, isTime := parseTimestamp(text); !isTime {
			io.WriteString(h, text)
		}
	case typeArray:
		kids := t.kids(n)
		if !n.unordered {
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
		binary.Write(h, binary.LittleEndian, sum)
	case typeObject:
		kids := t.kids(n)
		for i := range kids {
			io.WriteString(h, t.text(kids[i].key))
			h.Write([]byte{0})
			c.writeMatchKey(h, t, &kids[i])
		}
	case typeBool:
		io.WriteString(h, text)
	}
	h.Write([]byte{0xff}) // ends the value, so neighbours cannot run together
}
