package telemetry

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
)

// Reason refines an outcome: why a request was skipped, dropped or failed in
// the shadow. Reasons are metric attribute values, so the set is small and
// fixed: the constants below.
type Reason string

// Reasons given with [Skipped], [ShadowError] and [Dropped] events.
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
)

// Reasons lists every reason, in the order reports show them.
func Reasons() []Reason {
	return []Reason{ReasonBodyTooLarge, ReasonPrimaryFailed, ReasonCompareFailed, ReasonHijacked,
		ReasonRequestTooLarge, ReasonRequestUnreadable, ReasonRequestBodyUnread, ReasonClientGone,
		ReasonPanic, ReasonStatus5xx, ReasonClosed, ReasonThrottled, ReasonLatencyGuard}
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

// RecheckResult is what a delayed re-check of a mismatching pair found.
type RecheckResult string

// Re-check results, counted per route and direction.
const (
	// RecheckNone: no re-check ran (the pair matched, or re-checks are off).
	RecheckNone RecheckResult = ""
	// RecheckTransient: the second pair matched; the outcome is [Transient].
	RecheckTransient RecheckResult = "transient"
	// RecheckConfirmed: the second pair still differed; the outcome is
	// [Mismatch] with the second pair's diffs.
	RecheckConfirmed RecheckResult = "confirmed"
	// RecheckDropped: no slot or budget was free for the re-check, so the
	// first pair's verdict stands.
	RecheckDropped RecheckResult = "dropped"
	// RecheckFailed: the re-check could not compare (an error, a timeout or
	// a skip on either side), so the first pair's verdict stands.
	RecheckFailed RecheckResult = "failed"
)

// Event describes one sampled request from the shadow's point of view.
type Event struct {
	// Route is the route pattern ("/products/{id}"), never a raw path.
	Route  string
	Method string
	// Primary and Shadow name the two backends.
	Primary, Shadow backends.Name
	// Outcome is set for Record; StartShadow receives the zero value.
	Outcome Outcome
	// Reason refines Skipped, Dropped and ShadowError outcomes.
	Reason Reason
	// Start is when the primary began serving the request.
	Start time.Time
	// PrimaryDuration and ShadowDuration are the handler times of the two
	// executions; ShadowDuration is zero when the shadow did not run.
	PrimaryDuration, ShadowDuration time.Duration
	// CompareDuration is the time the comparator took.
	CompareDuration time.Duration
	// Result is the comparison, for Match and Mismatch outcomes.
	Result comparator.Result
	// Err is the shadow's error for ShadowError and Timeout outcomes.
	Err error
	// RequestSpan is the span context of the user's request, for linking.
	RequestSpan trace.SpanContext
	// EntityKey names the entity the request read (a product id), when the
	// user opted in with the middleware's WithEntityKey. It goes on spans
	// and log lines, redacted unless opted in, and never into metrics.
	EntityKey string
	// Noise lists the index-free fields of the diffs that were absorbed as
	// learned noise (nondeterministic fields) in a Match outcome.
	Noise []string
	// NoiseBaseline marks an A/A event: the primary compared with a second
	// run of itself to learn which fields are nondeterministic. It is not a
	// verdict on the shadow and never counts towards readiness.
	NoiseBaseline bool
	// Recheck says what a delayed re-check of a mismatch found.
	Recheck RecheckResult
}

// Recorder receives the events of sampled requests. The middleware calls it
// from shadow goroutines, so implementations must be safe for concurrent use
// and must not block for long: they run inside the shadow's slot.
type Recorder interface {
	// StartShadow is called just before a shadow runs. The context it returns
	// is the one the shadow handler receives (so store calls made by the
	// shadow become children of a shadow span) and later the one passed to
	// Record for the same event.
	StartShadow(ctx context.Context, e Event) context.Context
	// Record is called exactly once for every sampled request, with its
	// outcome, whether or not the shadow ran.
	Record(ctx context.Context, e Event)
}

// Nop is a Recorder that records nothing.
type Nop struct{}

// StartShadow returns ctx.
func (Nop) StartShadow(ctx context.Context, _ Event) context.Context { return ctx }

// Record does nothing.
func (Nop) Record(context.Context, Event) {}
