package comparator

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The hints triage a difference from the raw values, before they are
// redacted. They name the option that would absorb a difference in
// representation, and flag what looks like lost data, which no option
// should hide. Nothing is absorbed automatically.

// hintRelTolerance is the relative difference under which two numbers are
// taken for two spellings of one value.
const hintRelTolerance = 1e-9

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
			return absentHint(x)
		}
	case ExtraInShadow:
		if loc.member {
			return absentHint(y)
		}
	case TypeChanged:
		return typeHint(x, y, loc)
	case ValueChanged:
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
	return Hint{}
}

// absentHint triages a member that one side has with value v and the other
// has not.
func absentHint(v any) Hint {
	switch {
	case v == nil:
		return Hint{Triage: TriageRepresentation, Option: "NullEqualsMissing()", Note: "null against an absent member"}
	case isEmptyContainer(v):
		return Hint{Triage: TriageRepresentation, Option: "EmptyEqualsMissing()", Note: "an empty array or object against an absent member"}
	}
	return Hint{}
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

// typeHint triages values of different JSON types.
func typeHint(x, y any, loc location) Hint {
	if s, n, ok := stringAndNumber(x, y); ok && isNumberLiteral(s) && decimalKey(s) == decimalKey(string(n)) {
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
	if isIntegerLiteral(x) && isIntegerLiteral(y) {
		if fx == fy && decimalKey(y) == decimalKey(strconv.FormatFloat(fy, 'f', -1, 64)) {
			return Hint{Triage: TriageDataLoss, Note: "the shadow's integer is the primary's rounded to float64's 15 to 17 digits"}
		}
		return Hint{} // integers are exact: no tolerance applies
	}
	if fy != fx && fy == float64(float32(fx)) {
		return Hint{Triage: TriageDataLoss, Note: "the shadow's number is the primary's rounded to float32"}
	}
	// Within the tolerance, and below the last digit the shorter literal
	// writes: 0.3 against 0.30000000000000004 is float64 arithmetic, while
	// 1234567890.12 against 1234567890.13 is a cent. (Half a unit, as the
	// subtraction itself rounds.)
	apart := math.Abs(fx - fy)
	if apart <= hintRelTolerance*math.Max(math.Abs(fx), math.Abs(fy)) && apart < max(lastDigitUnit(x), lastDigitUnit(y))/2 {
		return Hint{Triage: TriageRepresentation, Option: "FloatTolerance(0, 1e-9)", Note: "numbers equal within a relative 1e-9, below the last digit of the shorter"}
	}
	return Hint{}
}

// lastDigitUnit returns the value of one unit in the last digit the JSON
// number literal lit writes: 0.01 for 12.50, 100 for 1e2.
func lastDigitUnit(lit string) float64 {
	mantissa, exp := lit, 0
	if i := strings.IndexAny(lit, "eE"); i >= 0 {
		mantissa = lit[:i]
		e, err := strconv.Atoi(lit[i+1:])
		if err != nil {
			return math.Inf(1)
		}
		exp = e
	}
	if i := strings.IndexByte(mantissa, '.'); i >= 0 {
		exp -= len(mantissa) - i - 1
	}
	return math.Pow10(exp)
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
func (p docPair) arrayHint(as, bs []node) (Hint, bool) {
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

// leftOut reports whether bs is as with some elements left out.
func (p docPair) leftOut(as, bs []node) bool {
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
