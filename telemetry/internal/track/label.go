package track

import (
	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
)

// Other replaces attribute values outside their fixed set, so a
// misbehaving caller cannot add metric series.
const Other = "other"

// Backend returns n if it is a known backend, [Other] otherwise.
func Backend(n backends.Name) backends.Name {
	if n.Valid() {
		return n
	}
	return Other
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

// Kind returns k if it is a known diff kind, [Other] otherwise.
func Kind(k comparator.Kind) comparator.Kind {
	if kindIndex(k) == kindLabels-1 {
		return Other
	}
	return k
}
