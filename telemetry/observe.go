package telemetry

import (
	"go.opentelemetry.io/otel/trace"

	"github.com/shadowread/shadowread/telemetry/internal/track"
	"github.com/shadowread/shadowread/telemetry/internal/verdict"
)

// directionOf returns the direction of e, with names outside the known
// backends as "other" so they cannot add metric series.
func directionOf(e Event) track.Direction {
	return track.Direction{Primary: track.Backend(e.Primary), Shadow: track.Backend(e.Shadow)}
}

// observation is what the tracker keeps of e, a verdict on the shadow: its
// labels, what it contributes to readiness, and for a mismatch its
// signature with traceID (invalid when the trace was not sampled).
func (c config) observation(e Event, signature string, traceID trace.TraceID) track.Observation {
	outcome := outcomeLabel(e.Outcome)
	reason := reasonLabel(e.Reason)
	obs := track.Observation{
		Outcome:         string(outcome),
		Reason:          reason,
		Verdict:         verdictOf(outcome, Reason(reason)),
		Mismatch:        outcome == Mismatch,
		Compared:        bodiesCompared(outcome),
		PrimaryDuration: e.PrimaryDuration,
		ShadowDuration:  e.ShadowDuration,
		Result:          e.Result,
		Noise:           e.Noise,
		Signature:       signature,
		TraceID:         traceID,
		ShowValues:      c.showsValues(e.Result),
	}
	if e.Recheck != RecheckNone {
		obs.Recheck = string(recheckLabel(e.Recheck))
	}
	return obs
}

// bodiesCompared reports whether the comparator compared the two answers
// of an event with outcome o, so that it could have absorbed noise.
func bodiesCompared(o Outcome) bool {
	return o == Match || o == Mismatch || o == Transient
}

// verdictOf returns the readiness contribution of an event with the
// outcome label o and the reason label reason. Every outcome is sampled;
// only match, mismatch and shadow error are compared. A timeout is a
// failure that was never compared; a transient is neither a sample nor a
// failure.
func verdictOf(o Outcome, reason Reason) verdict.Verdict {
	switch o {
	case Match:
		return verdict.Verdict{Compared: true, Sample: true}
	case Mismatch:
		return verdict.Verdict{Compared: true, Sample: true, Mismatch: true}
	case ShadowError:
		return verdict.Verdict{Compared: true, Sample: true, Err: true}
	case Timeout:
		return verdict.Verdict{Sample: true, Err: true, Outcome: string(o), Reason: string(reason)}
	}
	return verdict.Verdict{Outcome: string(o), Reason: string(reason)}
}
