package telemetry

import "github.com/shadowread/shadowread/telemetry/internal/vocab"

// Outcome classifies what happened to one sampled request. Its values are
// the constants below; the report's types (telemetry/report) carry it too.
type Outcome = vocab.Outcome

const (
	// Match: the shadow's response equals the primary's.
	Match Outcome = "match"
	// Mismatch: the responses differ.
	Mismatch Outcome = "mismatch"
	// ShadowError: the shadow failed (a panic, or a 5xx response).
	ShadowError Outcome = "shadow_error"
	// Timeout: the shadow outlived its timeout.
	Timeout Outcome = "timeout"
	// Dropped: all shadow slots were busy, or the shadow store was
	// throttling (reason throttled), so the shadow never ran.
	Dropped Outcome = "dropped"
	// Skipped: the shadow ran or could not be compared, for a reason given
	// with the event (body over the cap, primary failed, comparator error).
	Skipped Outcome = "skipped"
	// Transient: a mismatch that a delayed re-check explained by a write
	// racing the read (the Reason says how). Neither a clean sample nor a
	// failure: it lowers the route's coverage.
	Transient Outcome = "transient"
)

// Outcomes lists every outcome, in the order reports show them.
func Outcomes() []Outcome {
	return []Outcome{Match, Mismatch, Transient, ShadowError, Timeout, Dropped, Skipped}
}
