package comparator

import (
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
// used once. match[i] is the index in ys paired with xs[i], or -1. It tries
// the same position first, so arrays in the same order cost one pass;
// otherwise it searches greedily, which is quadratic in the worst case.
// complete reports that every element of both found a partner.
func (c *jsonComparator) matchUnordered(xs, ys []node) (match []int, complete bool) {
	match = make([]int, len(xs))
	used := make([]bool, len(ys))
	complete = len(xs) == len(ys)
	for i := range xs {
		match[i] = -1
		if i < len(ys) && !used[i] && c.equal(&xs[i], &ys[i]) {
			match[i], used[i] = i, true
			continue
		}
		for j := range ys {
			if !used[j] && c.equal(&xs[i], &ys[j]) {
				match[i], used[j] = j, true
				break
			}
		}
		if match[i] < 0 {
			complete = false
		}
	}
	return match, complete
}
