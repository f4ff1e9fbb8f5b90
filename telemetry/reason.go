package telemetry

import "github.com/shadowread/shadowread/telemetry/internal/vocab"

// Reason refines an outcome: why a request was skipped, dropped or failed in
// the shadow. Reasons are metric attribute values, so the set is small and
// fixed: the constants below.
type Reason = vocab.Reason

// Reasons given with [Skipped], [ShadowError], [Dropped] and [Transient] events.
const (
	ReasonBodyTooLarge      Reason = "body_too_large"      // a body exceeded the capture cap
	ReasonPrimaryFailed     Reason = "primary_failed"      // the primary answered 5xx or panicked
	ReasonCompareFailed     Reason = "compare_failed"      // the comparator returned an error
	ReasonHijacked          Reason = "hijacked"            // the primary hijacked the connection
	ReasonRequestTooLarge   Reason = "request_too_large"   // a request body exceeded the cap
	ReasonRequestUnreadable Reason = "request_unreadable"  // reading the request body failed
	ReasonRequestBodyUnread Reason = "request_body_unread" // the primary did not read its request body to the end
	ReasonClientGone        Reason = "client_gone"         // the user's request context ended before the primary finished
	ReasonPanic             Reason = "panic"               // the shadow handler panicked or exited its goroutine
	ReasonStatus5xx         Reason = "status_5xx"          // the shadow answered 5xx
	ReasonClosed            Reason = "closed"              // the shadower was closing
	ReasonThrottled         Reason = "throttled"           // the shadow store throttles, so the shadow backed off
	ReasonLatencyGuard      Reason = "latency_guard"       // the primary's latency rose above its baseline, so the shadow backed off
	ReasonPrimaryOutlived   Reason = "primary_outlived"    // the primary (a stream) was still running when the shadow's timeout ended
	ReasonWriteRaced        Reason = "write_raced"         // transient: the shadow's first answer equals a later answer of the primary (a write landed between the reads)
	ReasonShadowLagged      Reason = "shadow_lagged"       // transient: a later answer of the shadow equals the primary's first (the shadow lagged behind a write)
	ReasonShadowBehind      Reason = "shadow_behind"       // the shadow's handler knew its store is behind for the entity (a pending repair)
)

// Reasons lists every reason, in the order reports show them.
func Reasons() []Reason {
	return []Reason{ReasonBodyTooLarge, ReasonPrimaryFailed, ReasonCompareFailed, ReasonHijacked,
		ReasonRequestTooLarge, ReasonRequestUnreadable, ReasonRequestBodyUnread, ReasonClientGone,
		ReasonPanic, ReasonStatus5xx, ReasonClosed, ReasonThrottled, ReasonLatencyGuard, ReasonPrimaryOutlived,
		ReasonWriteRaced, ReasonShadowLagged, ReasonShadowBehind}
}
