package telemetry

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/shadowread/shadowread/telemetry/internal/label"
)

// entityKey returns the entity key as it may leave the process: as it is
// with [WithEntityKeysShown], otherwise "#" and the first 8 hex digits of
// its SHA-256, stable across requests and processes so occurrences of one
// entity can be grouped. Empty when there is no key.
func (o *OTel) entityKey(key string) string {
	if key == "" {
		return ""
	}
	if o.cfg.entityKeys {
		return label.Clip(key)
	}
	sum := sha256.Sum256([]byte(key))
	return "#" + hex.EncodeToString(sum[:4])
}
