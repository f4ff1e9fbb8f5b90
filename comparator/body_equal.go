package comparator

import (
	"math"
	"strconv"
	"time"

	"github.com/shadowread/shadowread/comparator/internal/jsonnum"
	"github.com/shadowread/shadowread/comparator/internal/jsontree"
)

// docPair holds the two documents of a comparison. Its methods take a
// node of the primary's document as a and one of the shadow's as b.
type docPair struct {
	c    *jsonComparator
	x, y *jsontree.Tree
	// scratch holds what pairing keeps between arrays (key indexes) and
	// notes for the reporter (array hints); nil: none kept, no hints.
	scratch *buffers
	// dirty, when set, says y is x's copy with the shadow's scalars
	// written in (buffers.twinTree), and has a bit set for each node of y
	// that differs from its original: one without is equal to it.
	dirty []uint64
}

// twins reports whether b is a's own copy in y with no difference in it
// (see dirty), and so equal to a without a walk.
func (p docPair) twins(a, b *jsontree.Node) bool {
	if p.dirty == nil {
		return false
	}
	i := p.y.Index(b)
	return i == p.x.Index(a) && p.dirty[i/64]&(1<<(i%64)) == 0
}

// equal reports whether a and b are equal under the options. It stops at
// the first difference and allocates nothing unless elements of an array
// matched by key or of an unordered array are out of place.
func (p docPair) equal(a, b *jsontree.Node) bool {
	if p.twins(a, b) {
		return true
	}
	if a.Type != b.Type || a.Type < jsontree.Array {
		return p.leafEqual(a, b)
	}
	if a.N != b.N {
		return false
	}
	as, bs := p.x.Kids(a), p.y.Kids(b)
	if a.Type == jsontree.Array {
		return p.arraysEqual(a, as, bs)
	}
	for i := range as {
		// Members are sorted by key, so equal key sets line up.
		if p.x.Text(as[i].Key) != p.y.Text(bs[i].Key) || !p.equal(&as[i], &bs[i]) {
			return false
		}
	}
	return true
}

// arraysEqual reports whether the elements as and bs, as many on both
// sides, of the array a and its counterpart are equal: position by
// position, by key or as multisets. Equal positions are tried first: they
// make arrays equal whichever way they are matched.
func (p docPair) arraysEqual(a *jsontree.Node, as, bs []jsontree.Node) bool {
	if a.Unordered && p.c.keyName(a) == "" {
		_, complete := p.matchUnordered(as, bs)
		return complete
	}
	i := 0
	for i < len(as) && p.equal(&as[i], &bs[i]) {
		i++
	}
	if i == len(as) {
		return true
	}
	if name := p.c.keyName(a); name != "" {
		if match, _, _, ok := p.keyMatch(as, bs, name); ok {
			for i, j := range match {
				if j < 0 || !p.equal(&as[i], &bs[j]) {
					return false
				}
			}
			return true
		}
	}
	if a.Unordered {
		_, complete := p.matchUnordered(as, bs)
		return complete
	}
	return false
}

// leafEqual reports whether a and b, of which at least one is not an array
// or object, are equal.
func (p docPair) leafEqual(a, b *jsontree.Node) bool {
	return p.c.scalarsEqual(a.Type, p.x.Text(a.Text), b.Type, p.y.Text(b.Text))
}

// scalarsEqual reports whether a value of type ta with text x (a node's
// Text) equals one of type tb with text y, when at least one of them is
// not an array or object.
func (c *jsonComparator) scalarsEqual(ta jsontree.Type, x string, tb jsontree.Type, y string) bool {
	if ta != tb {
		return c.numericPair(ta, x, tb, y) && c.numbersEqual(x, y)
	}
	switch ta {
	case jsontree.Null:
		return true
	case jsontree.Number:
		return c.numbersEqual(x, y)
	case jsontree.String:
		return x == y || (c.compareTimes && c.timesEqual(x, y))
	case jsontree.Bool:
		return x == y
	}
	return false // containers are compared by equal
}

// numericPair returns the literals of a number and a string that holds a
// JSON number, when [NumericStrings] is on and a and b are such a pair.
func (p docPair) numericPair(a, b *jsontree.Node) (string, string, bool) {
	x, y := p.x.Text(a.Text), p.y.Text(b.Text)
	return x, y, p.c.numericPair(a.Type, x, b.Type, y)
}

// numericPair reports whether, under [NumericStrings], a value of type ta
// with text x and one of type tb with text y are a number and a string
// that holds a JSON number.
func (c *jsonComparator) numericPair(ta jsontree.Type, x string, tb jsontree.Type, y string) bool {
	if !c.numericStrings || !(ta == jsontree.Number && tb == jsontree.String || ta == jsontree.String && tb == jsontree.Number) {
		return false
	}
	return jsonnum.IsLiteral(x) && jsonnum.IsLiteral(y)
}

// numbersEqual compares two JSON number literals: by decimal value, or
// within the float tolerance where one of them is not an integer.
func (c *jsonComparator) numbersEqual(a, b string) bool {
	if a == b || jsonnum.PlainEqual(a, b) {
		return true
	}
	if (c.absTol > 0 || c.relTol > 0) && !(jsonnum.IsInteger(a) && jsonnum.IsInteger(b)) {
		fa, errA := strconv.ParseFloat(a, 64)
		fb, errB := strconv.ParseFloat(b, 64)
		// Beyond float64's range only the exact comparison below is sound.
		if errA == nil && errB == nil {
			diff := math.Abs(fa - fb)
			return diff <= c.absTol || diff <= c.relTol*math.Max(math.Abs(fa), math.Abs(fb))
		}
	}
	return jsonnum.DecimalKey(a) == jsonnum.DecimalKey(b)
}

// timesEqual reports whether a and b are RFC 3339 timestamps at most the
// time precision apart.
func (c *jsonComparator) timesEqual(a, b string) bool {
	if d, ok := utcFractionApart(a, b); ok {
		return d <= c.timePrecision
	}
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

// utcFractionApart returns how far apart two UTC timestamps are that name
// the same second and differ only in the fraction ("…05.123456Z" and
// "…05.123Z", the usual pair), without parsing them; ok is false for any
// other pair. The second must still be valid, so the first one is parsed
// in full.
func utcFractionApart(a, b string) (d time.Duration, ok bool) {
	const secondsEnd = len("2006-01-02T15:04:05")
	if len(a) <= secondsEnd || len(b) <= secondsEnd || a[:secondsEnd] != b[:secondsEnd] ||
		a[len(a)-1] != 'Z' || b[len(b)-1] != 'Z' {
		return 0, false
	}
	fa, okA := fractionNanos(a[secondsEnd : len(a)-1])
	fb, okB := fractionNanos(b[secondsEnd : len(b)-1])
	if !okA || !okB {
		return 0, false
	}
	if !validDateTime(a[:secondsEnd]) {
		return 0, false
	}
	return time.Duration(fa - fb).Abs(), true
}

// validDateTime reports whether s is "YYYY-MM-DDTHH:MM:SS" naming a day
// of the calendar and a time of day, as time.Parse would check it.
func validDateTime(s string) bool {
	if len(s) != len("2006-01-02T15:04:05") || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return false
	}
	// two returns the number the two digits at s[i] write, or -1: fields
	// read two digits at a time, with no loop.
	two := func(i int) int {
		a, b := s[i]-'0', s[i+1]-'0'
		if a > 9 || b > 9 {
			return -1
		}
		return int(a)*10 + int(b)
	}
	century, year, month, day := two(0), two(2), two(5), two(8)
	hour, minute, second := two(11), two(14), two(17)
	if century < 0 || year < 0 || month < 1 || month > 12 || day < 1 ||
		hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 {
		return false
	}
	return day <= daysIn(month, century*100+year)
}

// daysIn returns the number of days of a month of the Gregorian calendar.
func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// fractionNanos returns the nanoseconds of a fraction of seconds written
// ".ddd" (one to nine digits) or "" for none.
func fractionNanos(f string) (int64, bool) {
	if f == "" {
		return 0, true
	}
	if f[0] != '.' || len(f) < 2 || len(f) > 10 {
		return 0, false
	}
	var n int64
	for i := 1; i < len(f); i++ {
		c := f[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	for range 10 - len(f) {
		n *= 10
	}
	return n, true
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
