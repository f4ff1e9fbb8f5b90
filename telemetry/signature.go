package telemetry

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"

	"github.com/shadowread/shadowread/comparator"
)

// resultSignature returns the signature of r's differences: a stable hash of
// the set of (path with indexes collapsed, kind) pairs. It stands in for
// comparator.Result.Signature until the comparator provides it.
func resultSignature(r comparator.Result) string {
	pairs := make([]string, 0, len(r.Diffs))
	for _, d := range r.Diffs {
		pairs = append(pairs, collapseIndexes(d.Path)+"|"+string(d.Kind))
	}
	slices.Sort(pairs)
	pairs = slices.Compact(pairs)
	sum := sha256.Sum256([]byte(strings.Join(pairs, "\n")))
	return hex.EncodeToString(sum[:8])
}

// collapseIndexes replaces every array index in path by "*": items[3].id
// becomes items[*].id.
func collapseIndexes(path string) string {
	var b strings.Builder
	for i := 0; i < len(path); i++ {
		b.WriteByte(path[i])
		if path[i] != '[' {
			continue
		}
		j := i + 1
		for j < len(path) && path[j] >= '0' && path[j] <= '9' {
			j++
		}
		if j > i+1 && j < len(path) && path[j] == ']' {
			b.WriteByte('*')
			i = j - 1
		}
	}
	return b.String()
}
