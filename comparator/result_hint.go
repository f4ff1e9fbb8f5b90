package comparator

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/shadowread/shadowread/comparator/internal/jsonnum"
	"github.com/shadowread/shadowread/comparator/internal/jsontree"
)

// The hints triage a difference from the raw values, before they are
// redacted. They name the option that would absorb a difference in
// representation, and flag what looks like lost data, which no option
// should hide: triage never advises hiding data loss. Nothing is absorbed
// automatically. What neither class explains is TriageUnknown.

// noiseRelTolerance is the relative difference under which two numbers,
// one written with float64's 15 to 17 significant digits, are taken for
// float64 arithmetic on one value; it is the preset's tolerance.
const noiseRelTolerance = PostgresDynamoDBRelTolerance

// noiseDigits is the least number of significant digits of a number that
// float64 arithmetic wrote (0.30000000000000004): a decimal value rounded
// on purpose has fewer.
const noiseDigits = 15

// maxHintExponent bounds the exponents of the number literals hints do
// exact arithmetic on.
const maxHintExponent = 400

// maxZoneShift is the largest difference between two zone offsets, from
// -12:00 to +14:00.
const maxZoneShift = 26 * time.Hour

// hintFor triages a difference of kind between x and y, the values go-cmp
// compared (nil for an absent side), at loc.
func hintFor(kind Kind, x, y any, loc location) Hint {
	if loc.arrayHintSet {
		// The array's own shape explains what differs inside it.
		return loc.arrayHint
	}
	switch kind {
	case MissingInShadow:
		if loc.element {
			return Hint{Triage: TriageDataLoss, Note: "an element of the primary's array is missing in the shadow"}
		}
		if loc.member {
			return absentHint(x, "the shadow lacks a member the primary has")
		}
		if !loc.element {
			return nullDocumentHint(x, "the shadow's document is null, the primary's has content")
		}
	case ExtraInShadow:
		if loc.member {
			return absentHint(y, "the primary lacks a member the shadow has")
		}
		if !loc.element {
			return nullDocumentHint(y, "the primary's document is null, the shadow's has content")
		}
	case TypeChanged, ValueChanged:
		if h, ok := emptiedHint(x, y); ok {
			return h
		}
		if kind == TypeChanged {
			return typeHint(x, y, loc)
		}
		return valueHint(x, y)
	}
	return Hint{}
}

// valueHint triages two different values of one JSON type.
func valueHint(x, y any) Hint {
	switch x := x.(type) {
	case json.Number:
		if y, ok := y.(json.Number); ok {
			return numberHint(string(x), string(y))
		}
	case string:
		if y, ok := y.(string); ok {
			if h, ok := timeHint(x, y); ok {
				return h
			}
			return stringHint(x, y)
		}
	}
	return Hint{}
}

// statusHint triages a status the shadow changed: a resource the primary
// serves and the shadow does not know is missing there. Other changes (an
// error on one side) say nothing about the data.
func statusHint(primary, shadow int) Hint {
	gone := shadow == http.StatusNotFound || shadow == http.StatusGone
	if primary >= 200 && primary < 300 && gone {
		return Hint{Triage: TriageDataLoss, Note: "the primary serves the resource; the shadow store has no such entity"}
	}
	return Hint{Triage: TriageUnknown}
}

// absentHint triages a member that one side has with value v and the other
// has not: a value without content (null, [], {}) is a representation of
// absence, content that one side lacks is lost, and lost is the note.
func absentHint(v any, lost string) Hint {
	switch {
	case v == nil:
		return Hint{Triage: TriageRepresentation, Option: "NullEqualsMissing()", Note: "null against an absent member"}
	case isEmptyContainer(v):
		return Hint{Triage: TriageRepresentation, Option: "EmptyEqualsMissing()", Note: "an empty array or object against an absent member"}
	case v == "":
		return Hint{Triage: TriageUnknown, Note: "an empty string against an absent member; no option absorbs it"}
	}
	return Hint{Triage: TriageDataLoss, Note: lost}
}

// nullDocumentHint triages a document v against a null one (which reaches
// go-cmp as no value): lost, unless v has no content either.
func nullDocumentHint(v any, lost string) Hint {
	if emptyName(v) != "" {
		return Hint{Triage: TriageUnknown}
	}
	return Hint{Triage: TriageDataLoss, Note: lost}
}

// emptiedHint triages two present values of which exactly one has no
// content: null, "", [] or {} where the other side has a value.
func emptiedHint(x, y any) (Hint, bool) {
	ex, ey := emptyName(x), emptyName(y)
	switch {
	case ex == "" && ey != "":
		return Hint{Triage: TriageDataLoss, Note: "the shadow has " + ey + " where the primary has a value"}, true
	case ey == "" && ex != "":
		return Hint{Triage: TriageDataLoss, Note: "the primary has " + ex + " where the shadow has a value"}, true
	}
	return Hint{}, false
}

// emptyName names v when it has no content (null, "", [] or {}), and
// returns "" for a value with content.
func emptyName(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		if v == "" {
			return "an empty string"
		}
	case map[string]any:
		if len(v) == 0 {
			return "an empty object"
		}
	case map[int]any, map[elementKey]any:
		if isEmptyContainer(v) {
			return "an empty array"
		}
	}
	return ""
}

func isEmptyContainer(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		return len(v) == 0
	case map[int]any:
		return len(v) == 0
	case map[elementKey]any:
		return len(v) == 0
	}
	return false
}

// typeHint triages values of different JSON types, both with content or
// both without.
func typeHint(x, y any, loc location) Hint {
	if s, n, ok := stringAndNumber(x, y); ok && jsonnum.IsLiteral(s) && jsonnum.DecimalKey(s) == jsonnum.DecimalKey(string(n)) {
		return Hint{Triage: TriageRepresentation, Option: "NumericStrings()", Note: "a number against a string holding the same number"}
	}
	if loc.member && (x == nil && isEmptyContainer(y) || y == nil && isEmptyContainer(x)) {
		return Hint{Triage: TriageRepresentation, Option: "Options{NullEqualsMissing(), EmptyEqualsMissing()}", Note: "null against an empty array or object"}
	}
	return Hint{}
}

func stringAndNumber(x, y any) (string, json.Number, bool) {
	if s, ok := x.(string); ok {
		n, ok := y.(json.Number)
		return s, n, ok
	}
	if s, ok := y.(string); ok {
		n, ok := x.(json.Number)
		return s, n, ok
	}
	return "", "", false
}

// numberHint triages two different numbers x (the primary's) and y.
func numberHint(x, y string) Hint {
	fx, errX := strconv.ParseFloat(x, 64)
	fy, errY := strconv.ParseFloat(y, 64)
	if errX != nil || errY != nil {
		return Hint{} // beyond float64: nothing to say
	}
	if jsonnum.IsInteger(x) && jsonnum.IsInteger(y) {
		if fx == fy && jsonnum.DecimalKey(y) == jsonnum.DecimalKey(strconv.FormatFloat(fy, 'f', -1, 64)) {
			return Hint{Triage: TriageDataLoss, Note: "the shadow's integer is the primary's rounded to float64's 15 to 17 digits"}
		}
		return Hint{} // integers are exact: no tolerance applies
	}
	if fy != fx && fy == float64(float32(fx)) {
		return Hint{Triage: TriageDataLoss, Note: "the shadow's number is the primary's rounded to float32"}
	}
	// float64 noise: one float64, or float64 arithmetic, which writes 15
	// to 17 digits (0.30000000000000004 against 0.3). A value rounded to
	// fewer decimals has fewer digits and is further off, and is lost.
	apart := math.Abs(fx - fy)
	if fx == fy || apart <= noiseRelTolerance*math.Max(math.Abs(fx), math.Abs(fy)) &&
		max(significantDigits(x), significantDigits(y)) >= noiseDigits {
		return Hint{Triage: TriageRepresentation, Option: "FloatTolerance(0, 1e-12)", Note: "float64 noise: equal within a relative 1e-12, one side written with float64's digits"}
	}
	if decimals, shadowCoarse, ok := roundedTo(x, y); ok {
		coarse, fine := "shadow", "primary"
		if !shadowCoarse {
			coarse, fine = fine, coarse
		}
		return Hint{Triage: TriageDataLoss, Note: fmt.Sprintf("the %s's number is the %s's rounded to %s", coarse, fine, decimalsName(decimals))}
	}
	return Hint{}
}

// roundedTo reports whether one of the number literals x and y is the
// other rounded or truncated to the fewer decimals it writes: they are
// less than one unit of its last digit apart. It returns that number of
// decimals (negative for a unit of tens or more) and whether y is the
// coarser one.
func roundedTo(x, y string) (decimals int, shadowCoarse, ok bool) {
	ex, okX := lastDigitExp(x)
	ey, okY := lastDigitExp(y)
	if !okX || !okY || ex == ey {
		return 0, false, false
	}
	rx, okX := new(big.Rat).SetString(x)
	ry, okY := new(big.Rat).SetString(y)
	if !okX || !okY {
		return 0, false, false
	}
	coarse := max(ex, ey)
	unit := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs(coarse))), nil))
	if coarse < 0 {
		unit.Inv(unit)
	}
	apart := new(big.Rat).Sub(rx, ry)
	if apart.Abs(apart).Cmp(unit) >= 0 {
		return 0, false, false
	}
	return -coarse, ey > ex, true
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// decimalsName writes a number of decimals for a note.
func decimalsName(decimals int) string {
	switch {
	case decimals == 1:
		return "1 decimal"
	case decimals >= 0:
		return strconv.Itoa(decimals) + " decimals"
	}
	return "a multiple of 1e" + strconv.Itoa(-decimals)
}

// lastDigitExp returns the power of ten of one unit in the last digit the
// JSON number literal lit writes: -2 for 12.50, 2 for 1e2. ok is false for
// an exponent beyond maxHintExponent.
func lastDigitExp(lit string) (exp int, ok bool) {
	mantissa := lit
	if i := strings.IndexAny(lit, "eE"); i >= 0 {
		mantissa = lit[:i]
		e, err := strconv.Atoi(lit[i+1:])
		if err != nil || abs(e) > maxHintExponent {
			return 0, false
		}
		exp = e
	}
	if i := strings.IndexByte(mantissa, '.'); i >= 0 {
		exp -= len(mantissa) - i - 1
	}
	return exp, abs(exp) <= 2*maxHintExponent
}

// significantDigits counts the digits of a number literal's mantissa from
// its first non-zero digit to its last.
func significantDigits(lit string) int {
	if i := strings.IndexAny(lit, "eE"); i >= 0 {
		lit = lit[:i]
	}
	digits := strings.Trim(strings.NewReplacer("-", "", ".", "").Replace(lit), "0")
	return len(digits)
}

// timeHint triages two different strings x (the primary's) and y when both
// are RFC 3339 timestamps.
func timeHint(x, y string) (Hint, bool) {
	tx, okX := parseTimestamp(x)
	ty, okY := parseTimestamp(y)
	if !okX || !okY {
		return Hint{}, false
	}
	if tx.Equal(ty) {
		return Hint{Triage: TriageRepresentation, Option: "TimePrecision(0)", Note: "the same instant in another zone offset or spelling"}, true
	}
	if h, ok := zoneHint(tx, ty); ok {
		return h, true
	}
	digitsX, digitsY := fractionDigits(x), fractionDigits(y)
	coarse := min(digitsX, digitsY)
	unit := time.Duration(math.Pow10(9 - coarse))
	apart := tx.Sub(ty).Abs()
	if digitsX == digitsY || apart >= unit {
		return Hint{}, true
	}
	// One side has fewer digits and names the other's instant at that
	// precision, truncated or rounded.
	if digitsY < digitsX && coarse < 3 {
		return Hint{Triage: TriageDataLoss, Note: fmt.Sprintf("the shadow's timestamp keeps %d fraction digits of the primary's %d", digitsY, digitsX)}, true
	}
	if coarse < 3 {
		return Hint{}, true // the primary is the coarse one: not for an option to hide
	}
	return Hint{Triage: TriageRepresentation, Option: "TimePrecision(" + durationExpr(unit) + ")",
		Note: fmt.Sprintf("the same instant at %d fraction digits", coarse)}, true
}

// zoneHint triages two different instants that a time zone would explain:
// whole hours apart (within the widest gap between two zone offsets), or
// the same wall-clock time with another offset.
func zoneHint(tx, ty time.Time) (Hint, bool) {
	const wallClock = "2006-01-02T15:04:05.999999999"
	apart := tx.Sub(ty).Abs()
	if apart > maxZoneShift || apart%time.Hour != 0 && tx.Format(wallClock) != ty.Format(wallClock) {
		return Hint{}, false
	}
	return Hint{Triage: TriageDataLoss, Note: "time zone: the instants are " + apart.String() + " apart"}, true
}

// fractionDigits counts the digits of the fraction of seconds of an RFC
// 3339 timestamp.
func fractionDigits(ts string) int {
	const secondsEnd = len("2006-01-02T15:04:05")
	if len(ts) <= secondsEnd || ts[secondsEnd] != '.' {
		return 0
	}
	return skipDigits(ts, secondsEnd+1) - secondsEnd - 1
}

// durationExpr writes a power-of-ten duration of at most a second as Go code.
func durationExpr(d time.Duration) string {
	for _, u := range []struct {
		d    time.Duration
		name string
	}{{time.Second, "time.Second"}, {time.Millisecond, "time.Millisecond"}, {time.Microsecond, "time.Microsecond"}, {time.Nanosecond, "time.Nanosecond"}} {
		if d == u.d {
			return u.name
		}
		if d > u.d {
			return strconv.FormatInt(int64(d/u.d), 10) + " * " + u.name
		}
	}
	return strconv.FormatInt(int64(d), 10)
}

// stringHint triages two different strings x (the primary's) and y.
func stringHint(x, y string) Hint {
	if y != "" && len(y) < len(x) && strings.HasPrefix(x, y) {
		return Hint{Triage: TriageDataLoss, Note: fmt.Sprintf("the shadow's string is the primary's cut to %d of %d bytes", len(y), len(x))}
	}
	return Hint{}
}

// arrayHint triages two arrays compared by position that differ: the same
// elements in another order, or the primary's elements with some left out.
// The Option it returns is a format for the array's path pattern (see
// arrayOption).
func (p docPair) arrayHint(as, bs []jsontree.Node) (Hint, bool) {
	switch {
	case len(as) == len(bs):
		if _, complete := p.matchUnordered(as, bs); complete {
			opt := "UnorderedPaths(%s)"
			if _, _, _, ok := p.keyMatch(as, bs, "id"); ok {
				opt = `KeyedArrays(%s, "id")`
			}
			return Hint{Triage: TriageRepresentation, Option: opt, Note: "the same elements in another order"}, true
		}
	case len(bs) < len(as) && p.leftOut(as, bs):
		note := fmt.Sprintf("%d of the primary's %d elements are missing in the shadow", len(as)-len(bs), len(as))
		if !p.leftOut(as[:len(bs)], bs) {
			note += "; the ones after them moved up"
		}
		return Hint{Triage: TriageDataLoss, Note: note}, true
	}
	return Hint{}, false
}

// emptyArrayHint triages two arrays of which exactly one is empty, however
// they are matched: every element of the other is lost.
func emptyArrayHint(as, bs []jsontree.Node) (Hint, bool) {
	switch {
	case len(as) == 0 && len(bs) > 0:
		return Hint{Triage: TriageDataLoss, Note: fmt.Sprintf("the primary's array is empty, the shadow's has %d elements", len(bs))}, true
	case len(bs) == 0 && len(as) > 0:
		return Hint{Triage: TriageDataLoss, Note: fmt.Sprintf("the shadow's array is empty, the primary's has %d elements", len(as))}, true
	}
	return Hint{}, false
}

// leftOut reports whether bs is as with some elements left out.
func (p docPair) leftOut(as, bs []jsontree.Node) bool {
	j := 0
	for i := range as {
		if j < len(bs) && p.equal(&as[i], &bs[j]) {
			j++
		}
	}
	return j == len(bs)
}

// arrayOption fills an array hint's Option format with the array's path
// pattern; without one (the root, or a step a user's go-cmp option made),
// no option can name the array.
func arrayOption(format, pattern string, ok bool) string {
	if format == "" || !ok || pattern == "" {
		return ""
	}
	return fmt.Sprintf(format, strconv.Quote(pattern))
}
