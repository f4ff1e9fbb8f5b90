package telemetry

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
)

// Reasons given with [Skipped], [ShadowError] and [Dropped] events. They are
// metric attribute values, so the set is small and fixed.
const (
	ReasonBodyTooLarge      = "body_too_large"     // a body exceeded the capture cap
	ReasonPrimaryFailed     = "primary_failed"     // the primary answered 5xx or panicked
	ReasonCompareFailed     = "compare_failed"     // the comparator returned an error
	ReasonHijacked          = "hijacked"           // the primary hijacked the connection
	ReasonRequestTooLarge   = "request_too_large"  // a request body exceeded the cap
	ReasonRequestUnreadable = "request_unreadable" // reading the request body failed
	ReasonPanic             = "panic"              // the shadow handler panicked
	ReasonStatus5xx         = "status_5xx"         // the shadow answered 5xx
	ReasonClosed            = "closed"             // the shadower was closing
	ReasonThrottled         = "throttled"          // the shadow store throttles, so the shadow backed off
)

// reasonLabel returns r if it is one of the reasons above (or empty), and
// "other" otherwise, so a stray reason cannot add metric series. Keep it in
// step with the constants.
func reasonLabel(r string) string {
	switch r {
	case "", ReasonBodyTooLarge, ReasonPrimaryFailed, ReasonCompareFailed, ReasonHijacked,
		ReasonRequestTooLarge, ReasonRequestUnreadable, ReasonPanic, ReasonStatus5xx, ReasonClosed, ReasonThrottled:
		return r
	}
	return otherLabel
}

// Event describes one sampled request from the shadow's point of view.
type Event struct {
	// Route is the route pattern ("/products/{id}"), never a raw path.
	Route  string
	Method string
	// Primary and Shadow name the two backends.
	Primary, Shadow backends.Name
	// Outcome is set for Record; StartShadow receives the zero value.
	Outcome Outcome
	// Reason refines Skipped and ShadowError outcomes (the Reason constants).
	Reason string
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
