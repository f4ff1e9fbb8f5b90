package comparator

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
)

// Signature identifies the shape of a mismatch, so that identical
// mismatches can be counted together: 16 hex digits hashed from the set of
// (path, kind) pairs of the differences, with element indexes collapsed
// (`items[3].price` counts as `items[*].price`). It ignores the values, the
// order of the differences and repeats, so it is the same across requests,
// processes and releases of the package. It is computed from the
// differences the result kept (see [MaxDiffs]), and is empty when there
// are none.
func (r Result) Signature() string {
	if len(r.Diffs) == 0 {
		return ""
	}
	lines := make([]string, len(r.Diffs))
	for i, d := range r.Diffs {
		lines[i] = collapseIndexes(d.Path) + "\x00" + string(d.Kind)
	}
	slices.Sort(lines)
	lines = slices.Compact(lines)
	sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	return hex.EncodeToString(sum[:8])
}
