package verify

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"math/big"
	"strconv"
)

// The hashes behind the range checksums. Every hash covers the kind and
// the id, so equal content under two ids, or swapped between two ids, has
// different hashes; see the package doc for why their sums do not cancel.

// hashParts is the first 64 bits of SHA-256 over length-prefixed parts,
// so no two different part lists share an input.
func hashParts(parts ...string) int64 {
	h := sha256.New()
	var n [8]byte
	for _, p := range parts {
		binary.BigEndian.PutUint64(n[:], uint64(len(p)))
		h.Write(n[:])
		h.Write([]byte(p))
	}
	var sum [sha256.Size]byte
	return int64(binary.BigEndian.Uint64(h.Sum(sum[:0])[:8]))
}

// entityHash is what one side contributes for an entity: its rendered
// response and each of its items' keys. A scanned entity without a
// readable response contributes its items only.
func entityHash(e Entity) int64 {
	id := strconv.FormatInt(e.ID, 10)
	var sum int64
	switch {
	case e.Err != nil:
		sum = hashParts("unreadable", e.Kind, id)
	case e.Response.Status != 0:
		sum = hashParts("body", e.Kind, id, strconv.Itoa(e.Response.Status), string(canonicalJSON(e.Response.Body)))
	}
	for _, k := range e.Items {
		sum += hashParts("item", e.Kind, id, keyString(k)) // wraps: sums are modulo 2^64
	}
	return sum
}

// keyString is a key as JSON, attributes in name order (encoding/json
// sorts map keys): one text for hashing and storing.
func keyString(k Key) string {
	b, _ := json.Marshal(map[string]string(k))
	return string(b)
}

// canonicalJSON renders a body so that the same data from either store has
// the same bytes: members sorted (encoding/json sorts map keys) and
// numbers by exact value, 12.50 and 12.5 alike. A body that is not JSON is
// hashed as it is.
func canonicalJSON(body []byte) []byte {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return body
	}
	out, err := json.Marshal(canonicalValue(v))
	if err != nil {
		return body
	}
	return out
}

func canonicalValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = canonicalValue(e)
		}
	case []any:
		for i, e := range x {
			x[i] = canonicalValue(e)
		}
	case json.Number:
		if r, ok := new(big.Rat).SetString(string(x)); ok {
			return "\x00n:" + r.RatString() // no string of real data starts with NUL
		}
	}
	return v
}
