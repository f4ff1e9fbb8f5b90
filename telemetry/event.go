package telemetry

import (
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/telemetry/internal/vocab"
)

// RecheckResult is what a delayed re-check of a mismatching pair found.
type RecheckResult = vocab.RecheckResult

// Re-check results, counted per route and direction.
const (
	// RecheckNone: no re-check ran (the pair matched, or re-checks are off).
	RecheckNone RecheckResult = ""
	// RecheckTransient: the re-check showed the write that explains the
	// difference (the event's Reason says which: [ReasonWriteRaced] or
	// [ReasonShadowLagged]); the outcome is [Transient].
	RecheckTransient RecheckResult = "transient"
	// RecheckConfirmed: the second pair still differed and neither shadow
	// answer equals a primary answer; the outcome is [Mismatch] with the
	// second pair's diffs.
	RecheckConfirmed RecheckResult = "confirmed"
	// RecheckRepaired: the second pair matched, but the shadow's first
	// answer equals neither primary answer, so no write explains it: a real
	// difference that a later write repaired. The outcome is [Mismatch]
	// with the first pair's diffs.
	RecheckRepaired RecheckResult = "repaired"
	// RecheckAbsorbed: the re-check's own A/A pair (the primary read twice)
	// showed every difference on a field nondeterministic in the primary
	// itself; the outcome is [Match], with the fields in Noise.
	RecheckAbsorbed RecheckResult = "absorbed"
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
	// PrimaryStatus and ShadowStatus are the HTTP status codes the two
	// executions answered, zero when unknown or when the shadow did not run.
	// They go on the shadow span.
	PrimaryStatus, ShadowStatus int
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
	// Noise lists the index-free fields whose differences were absorbed as
	// proven noise (nondeterministic fields) in this comparison; the
	// recorder counts them per route and field.
	Noise []string
	// NoiseBaseline marks an A/A event: the primary compared with a second
	// run of itself to learn which fields are nondeterministic. It is not a
	// verdict on the shadow and never counts towards readiness.
	NoiseBaseline bool
	// Recheck says what a delayed re-check of a mismatch found.
	Recheck RecheckResult
}
