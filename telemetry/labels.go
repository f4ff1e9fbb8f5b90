package telemetry

import (
	"unicode/utf8"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
)

// otherLabel replaces attribute values outside their fixed set, so a
// misbehaving caller cannot add metric series.
const otherLabel = "other"

// maxLabelLen bounds the length of a route or diff path kept in memory.
const maxLabelLen = 256

// clip shortens s to at most maxLabelLen bytes without splitting a rune.
func clip(s string) string {
	if len(s) <= maxLabelLen {
		return s
	}
	for i := maxLabelLen; i > 0; i-- {
		if utf8.RuneStart(s[i]) {
			return s[:i]
		}
	}
	return ""
}

func outcomeLabel(o Outcome) Outcome {
	switch o {
	case Match, Mismatch, ShadowError, Timeout, Dropped, Skipped, Transient:
		return o
	}
	return otherLabel
}

func reasonLabel(r string) string {
	switch r {
	case "", ReasonBodyTooLarge, ReasonPrimaryFailed, ReasonCompareFailed, ReasonHijacked,
		ReasonRequestTooLarge, ReasonPanic, ReasonStatus5xx, ReasonClosed:
		return r
	}
	return otherLabel
}

func backendLabel(n backends.Name) backends.Name {
	if n.Valid() {
		return n
	}
	return otherLabel
}

func kindLabel(k comparator.Kind) comparator.Kind {
	switch k {
	case comparator.MissingInShadow, comparator.ExtraInShadow, comparator.ValueChanged,
		comparator.TypeChanged, comparator.StatusChanged:
		return k
	}
	return otherLabel
}
