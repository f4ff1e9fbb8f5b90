package jsonnum

import (
	"math"
	"math/big"
	"strconv"
	"strings"
)

// DecimalKey returns a spelling of the JSON number literal lit that two
// literals share exactly when they name the same number: the sign, the
// significant digits without leading or trailing zeros, and the power of
// ten of the last digit. "12.50", "12.5" and "1.25e1" all give "125e-1";
// every zero, "-0" included, gives "0". lit must be a valid JSON number.
func DecimalKey(lit string) string {
	neg := strings.HasPrefix(lit, "-")
	if neg {
		lit = lit[1:]
	}
	mantissa, expText := lit, ""
	if i := strings.IndexAny(lit, "eE"); i >= 0 {
		mantissa, expText = lit[:i], lit[i+1:]
	}
	intPart, fracPart := mantissa, ""
	if i := strings.IndexByte(mantissa, '.'); i >= 0 {
		intPart, fracPart = mantissa[:i], mantissa[i+1:]
	}

	digits := strings.TrimLeft(intPart+fracPart, "0")
	if digits == "" {
		return "0"
	}
	trimmed := strings.TrimRight(digits, "0")
	// The value is digits × 10^(exp - len(fracPart)); dropping trailing
	// zeros raises the power by as many.
	adjust := int64(len(digits)-len(trimmed)) - int64(len(fracPart))

	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	b.WriteString(trimmed)
	b.WriteByte('e')
	b.WriteString(addExponent(expText, adjust))
	return b.String()
}

// addExponent returns the decimal text of the exponent expText (empty for
// none, else an optional sign and digits) plus adjust. Exponents beyond
// int64 are valid JSON, so they take the math/big path instead of
// overflowing.
func addExponent(expText string, adjust int64) string {
	if expText == "" {
		return strconv.FormatInt(adjust, 10)
	}
	if e, err := strconv.ParseInt(expText, 10, 64); err == nil && e > math.MinInt64/2 && e < math.MaxInt64/2 {
		return strconv.FormatInt(e+adjust, 10)
	}
	e, _ := new(big.Int).SetString(strings.TrimPrefix(expText, "+"), 10)
	return e.Add(e, big.NewInt(adjust)).String()
}

// IsInteger reports whether the JSON number literal lit is written
// without a fraction or an exponent.
func IsInteger(lit string) bool {
	for i := 0; i < len(lit); i++ {
		if c := lit[i]; c == '.' || c == 'e' || c == 'E' {
			return false
		}
	}
	return true
}

// PlainEqual reports whether two JSON number literals without exponents
// are the same number spelled with other trailing zeros in the fraction
// (12.50 and 12.5, 3 and 3.0): the common case, decided without parsing.
// It reports false when it cannot tell.
func PlainEqual(a, b string) bool {
	a, b = TrimFraction(a), TrimFraction(b)
	return a != "" && a == b
}

// TrimFraction drops the trailing zeros of the fraction of lit, and the
// point when nothing is left after it; "" for a literal with an exponent.
func TrimFraction(lit string) string {
	point := -1
	for i := 0; i < len(lit); i++ {
		switch lit[i] {
		case 'e', 'E':
			return ""
		case '.':
			point = i
		}
	}
	if point < 0 {
		return lit
	}
	end := len(lit)
	for end > point+1 && lit[end-1] == '0' {
		end--
	}
	if end == point+1 {
		end = point
	}
	return lit[:end]
}

// End returns the end of the JSON number that starts at s[i], in one
// pass, or -1 when none does.
func End(s string, i int) int {
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		i = skipDigits(s, i+1)
	default:
		return -1
	}
	if i < len(s) && s[i] == '.' {
		j := skipDigits(s, i+1)
		if j == i+1 {
			return -1
		}
		i = j
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := skipDigits(s, i)
		if j == i {
			return -1
		}
		i = j
	}
	return i
}

// IsLiteral reports whether s is exactly one JSON number.
func IsLiteral(s string) bool {
	return End(s, 0) == len(s)
}

func skipDigits(s string, i int) int {
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}
