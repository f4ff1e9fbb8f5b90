package comparator

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
)

// Signature identifies the shape of a mismatch, so that identical
// mismatches can be counted together: 16 hex digits hashed from the set of
// (field, kind) pairs of the differences ([Diff.Field]: `items[3].price`
// and `items[id=7].price` both count as `items[].price`; a Diff without a
// Field counts by its Path with element steps removed), and for a
// [StatusChanged] difference its direction (`200->404` is not
// `404->200`). It ignores the values, the order of the differences and
// repeats, so it is the same across requests and processes. It is computed from the
// differences the result kept (see [MaxDiffs]), and is empty when there
// are none.
func (r Result) Signature() string {
	if len(r.Diffs) == 0 {
		return ""
	}
	lines := make([]string, len(r.Diffs))
	for i, d := range r.Diffs {
		field := d.Field
		if field == "" {
			field = fieldOfPath(d.Path)
		}
		// Hashed in the form signatures had before fields existed
		// (`items[*].price`), so that they stay the same.
		lines[i] = starElements(field) + "\x00" + string(d.Kind)
		if d.Kind == StatusChanged && isStatusCode(d.Primary) && isStatusCode(d.Shadow) {
			// 200->404 and 404->200 are different problems; a pair of
			// status codes has few values.
			lines[i] += "\x00" + d.Primary + "->" + d.Shadow
		}
	}
	slices.Sort(lines)
	lines = slices.Compact(lines)
	sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	return hex.EncodeToString(sum[:8])
}

// isStatusCode reports whether s is an HTTP status code: three digits.
func isStatusCode(s string) bool {
	return len(s) == 3 && s[0] >= '1' && s[0] <= '5' && s[1] >= '0' && s[1] <= '9' && s[2] >= '0' && s[2] <= '9'
}
