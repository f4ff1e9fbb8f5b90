package telemetry

import (
	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
)

// otherLabel replaces attribute values outside their fixed set, so a
// misbehaving caller cannot add metric series.
const otherLabel = "other"

func outcomeLabel(o Outcome) Outcome {
	switch o {
	case Match, Mismatch, ShadowError, Timeout, Dropped, Skipped, Transient:
		return o
	}
	return otherLabel
}

func backendLabel(n backends.Name) backends.Name {
	if n.Valid() {
		return n
	}
	return otherLabel
}

// kindLabels is the number of kind labels: the five kinds and "other".
const kindLabels = 6

// kindIndex numbers the diff kinds 0 to 4, and any other value 5.
func kindIndex(k comparator.Kind) int {
	switch k {
	case comparator.MissingInShadow:
		return 0
	case comparator.ExtraInShadow:
		return 1
	case comparator.ValueChanged:
		return 2
	case comparator.TypeChanged:
		return 3
	case comparator.StatusChanged:
		return 4
	}
	return 5
}

func kindLabel(k comparator.Kind) comparator.Kind {
	if kindIndex(k) == kindLabels-1 {
		return otherLabel
	}
	return k
}
