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

// equal reports whether the normalised documents x and y are equal under
// the options. It stops at the first difference and allocates nothing
// (unordered arrays aside): this is all a matching pair pays for.
func (c *jsonComparator) equal(x, y *node) bool {
	if x.typ != y.typ || x.typ < typeArray {
		return c.leafEqual(x, y)
	}
	if x.typ == typeArray {
		if len(x.elems) != len(y.elems) {
			return false
		}
		if x.unordered {
			_, complete := c.matchUnordered(x.elems, y.elems)
			return complete
		}
		for i := range x.elems {
			if !c.equal(&x.elems[i], &y.elems[i]) {
				return false
			}
		}
		return true
	}
	// Members are sorted by key, so equal key sets line up.
	if len(x.members) != len(y.members) {
		return false
	}
	for i := range x.members {
		if x.members[i].key != y.members[i].key || !c.equal(&x.members[i].value, &y.members[i].value) {
			return false
		}
	}
	return true
}

// leafEqual reports whether x and y, of which at least one is not an array
// or object, are equal.
func (c *jsonComparator) leafEqual(x, y *node) bool {
	if x.typ != y.typ {
		a, b, ok := c.numericPair(x, y)
		return ok && c.numbersEqual(a, b)
	}
	switch x.typ {
	case typeNumber:
		return c.numbersEqual(x.text, y.text)
	case typeString:
		return x.text == y.text || (c.compareTimes && c.timesEqual(x.text, y.text))
	case typeArray, typeObject:
		return false // containers are compared by equal
	default:
		return x.text == y.text
	}
}

// numericPair returns the literals of a number and a string that holds a
// JSON number, when [NumericStrings] is on and x and y are such a pair.
func (c *jsonComparator) numericPair(x, y *node) (string, string, bool) {
	if !c.numericStrings {
		return "", "", false
	}
	if x.typ == typeNumber && y.typ == typeString && isNumberLiteral(y.text) ||
		x.typ == typeString && y.typ == typeNumber && isNumberLiteral(x.text) {
		return x.text, y.text, true
	}
	return "", "", false
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
func (c *jsonComparator) matchUnordered(xs, ys []node) (match []int, complete bool) {
	match = make([]int, len(xs))
	used := make([]bool, len(ys))
	complete = len(xs) == len(ys)
	var buckets map[uint64][]int // indexes into ys by matchKey, built when first needed
	for i := range xs {
		match[i] = -1
		if i < len(ys) && !used[i] && c.equal(&xs[i], &ys[i]) {
			match[i], used[i] = i, true
			continue
		}
		if buckets == nil {
			buckets = make(map[uint64][]int)
			for j := range ys {
				k := c.matchKey(&ys[j])
				buckets[k] = append(buckets[k], j)
			}
		}
		key := c.matchKey(&xs[i])
		bucket := buckets[key]
		for b := 0; b < len(bucket); {
			j := bucket[b]
			if used[j] {
				// Taken (maybe by its position): drop it for good.
				bucket[b] = bucket[len(bucket)-1]
				bucket = bucket[:len(bucket)-1]
				continue
			}
			if c.equal(&xs[i], &ys[j]) {
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

// matchKey hashes n so that values equal under the options hash the same:
// exactly where the rules are exact, and coarsely (a number is just a
// number) where tolerances could make different spellings equal.
func (c *jsonComparator) matchKey(n *node) uint64 {
	h := fnv.New64a()
	c.writeMatchKey(h, n)
	return h.Sum64()
}

func (c *jsonComparator) writeMatchKey(h hash.Hash64, n *node) {
	typ := n.typ
	text := n.text
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
		if !n.unordered {
			for i := range n.elems {
				c.writeMatchKey(h, &n.elems[i])
			}
			break
		}
		// Order must not matter: add the elements' own keys up.
		var sum uint64
		for i := range n.elems {
			sum += c.matchKey(&n.elems[i])
		}
		binary.Write(h, binary.LittleEndian, sum)
	case typeObject:
		for i := range n.members {
			io.WriteString(h, n.members[i].key)
			h.Write([]byte{0})
			c.writeMatchKey(h, &n.members[i].value)
		}
	default:
		io.WriteString(h, text)
	}
	h.Write([]byte{0xff}) // ends the value, so neighbours cannot run together
}
