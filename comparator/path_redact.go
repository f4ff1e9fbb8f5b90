package comparator

import "github.com/shadowread/shadowread/comparator/internal/redact"

// redactsKey reports whether a diff path shows the member name of the
// object whose key-rule states are states redacted: a name that looks like
// data, or any name under [MapPaths], unless [ShowKeys] names the object.
func (c *jsonComparator) redactsKey(states []pathState, name string) bool {
	if c.keys.applies(states, actShowKeys) {
		return false
	}
	return c.keys.applies(states, actMapKeys) || redact.LooksLikeData(name)
}

// redactsElementKey reports whether a diff path shows the key value lit
// (a JSON literal) of an element of the array whose key-rule states are
// states redacted: a key that looks like data, unless [ShowKeys] names the
// array.
func (c *jsonComparator) redactsElementKey(states []pathState, lit string) bool {
	if c.keys.applies(states, actShowKeys) {
		return false
	}
	return redact.LiteralLooksLikeData(lit)
}

// appendRedacted appends a redacted member step to a diff path.
func appendRedacted(b []byte, seg string) []byte {
	if len(b) > 0 {
		b = append(b, '.')
	}
	return append(b, seg...)
}
