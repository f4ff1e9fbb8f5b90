package telemetry

import "github.com/shadowread/shadowread/telemetry/internal/track"

// otherLabel replaces attribute values outside their fixed set, so a
// misbehaving caller cannot add metric series.
const otherLabel = track.Other

func outcomeLabel(o Outcome) Outcome {
	switch o {
	case Match, Mismatch, ShadowError, Timeout, Dropped, Skipped, Transient:
		return o
	}
	return otherLabel
}
