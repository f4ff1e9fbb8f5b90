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

// reasonLabel returns r if it is one of the reasons above (or empty), and
// "other" otherwise, so a stray reason cannot add metric series.
func reasonLabel(r Reason) string {
	if r == "" {
		return ""
	}
	for _, known := range Reasons() {
		if r == known {
			return string(r)
		}
	}
	return otherLabel
}

// recheckResults are the re-check results with a label of their own.
var recheckResults = []RecheckResult{RecheckTransient, RecheckConfirmed, RecheckRepaired, RecheckAbsorbed, RecheckDropped, RecheckFailed}

// recheckLabel returns r if it is a known re-check result, "other" otherwise.
func recheckLabel(r RecheckResult) RecheckResult {
	for _, known := range recheckResults {
		if r == known {
			return r
		}
	}
	return otherLabel
}
