package label

import (
	"crypto/sha256"
	"encoding/hex"
)

// EntityKey returns an entity key as it may leave the process: clipped when
// shown, otherwise "#" and the first 8 hex digits of its SHA-256, stable
// across requests and processes so occurrences of one entity can be
// grouped. Empty when there is no key.
func EntityKey(key string, shown bool) string {
	if key == "" {
		return ""
	}
	if shown {
		return Clip(key)
	}
	sum := sha256.Sum256([]byte(key))
	return "#" + hex.EncodeToString(sum[:4])
}
