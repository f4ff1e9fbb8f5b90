package report

import (
	"time"

	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/telemetry/internal/vocab"
)

// Report is what the recorder knows about every route and direction:
// outcome counts, readiness (cumulative, windowed and since the mark) with
// its coverage, latencies, the most frequent diff signatures with their
// triage, re-checks and the noise counts. The report page (telemetry.OTel.ReportHandler) renders it as
// HTML or JSON.
type Report struct {
	Generated time.Time `json:"generated"`
	// Problems are what keeps the service from shadowing any request, from
	// the sources of telemetry.OTel.AddProblemSource: the page shows them as a
	// banner. Empty when all is well.
	Problems []string `json:"problems,omitempty"`
	// ReadyThreshold, MinSamples and MinCoverage are the readiness
	// settings (telemetry.WithReadyThreshold, telemetry.WithMinSamples, telemetry.WithMinCoverage).
	ReadyThreshold float64 `json:"ready_threshold"`
	MinSamples     uint64  `json:"min_samples"`
	MinCoverage    float64 `json:"min_coverage"`
	// Window is the length of the sliding readiness window
	// (telemetry.WithReadinessWindow), Mark the latest telemetry.OTel.Mark (zero without).
	Window time.Duration `json:"window_ns"`
	Mark   time.Time     `json:"mark,omitzero"`
	// Routes has one entry per route and direction with events, by route
	// ([backends.OverflowRoute] last), then by direction.
	Routes []RouteReport `json:"routes"`
	// Noise is the noise counts of each route with A/A pairs or absorbed
	// noise.
	Noise []RouteNoise `json:"noise"`
}

// RouteReport describes one route in one direction.
type RouteReport struct {
	RouteReadiness
	// Outcomes counts the events by outcome, in the order of telemetry.Outcomes.
	Outcomes []OutcomeCount `json:"outcomes"`
	// Rechecks counts the delayed re-checks of mismatches by result.
	Rechecks []RecheckCount `json:"rechecks"`
	// Signatures are the kept diff signatures, the most frequent first.
	Signatures []SignatureReport `json:"signatures"`
	// EvictedSignatures counts the signatures dropped to make room for new
	// ones (telemetry.WithMaxSignatures), EvictedMismatches the mismatches they had.
	EvictedSignatures uint64 `json:"evicted_signatures"`
	EvictedMismatches uint64 `json:"evicted_mismatches"`
}

// OutcomeCount is the number of events of a route with one outcome.
type OutcomeCount struct {
	Outcome vocab.Outcome `json:"outcome"` // a telemetry.Outcome

	Count uint64 `json:"count"`
}

// RecheckCount is the number of re-checks of a route with one result.
type RecheckCount struct {
	Result vocab.RecheckResult `json:"result"` // a telemetry.RecheckResult
	Count  uint64              `json:"count"`
}

// RouteNoise is what the events of one route say about its noise: the
// fields that differed between two reads of the primary (A/A pairs) and the
// fields whose differences were absorbed between the primary and the
// shadow. The recorder counts; what is noise is decided where the requests
// are compared (the middleware).
type RouteNoise struct {
	Route string `json:"route"`
	// Baseline counts the route's A/A pairs, Compared its comparisons with
	// the shadow (match, mismatch and transient events): the denominators
	// of the fields' AARate and AbsorbedRate.
	Baseline uint64 `json:"baseline"`
	Compared uint64 `json:"compared"`
	// Fields are the route's fields, the suspicious first, then the most
	// absorbed; at most 32, the least counted evicted for a new one.
	Fields []NoiseReport `json:"fields"`
	// EvictedFields counts the fields evicted to make room.
	EvictedFields uint64 `json:"evicted_fields"`
}

// SignatureReport describes the mismatches of one route and direction that
// share a diff signature (comparator.Result.Signature): the same fields and
// kinds.
type SignatureReport struct {
	Signature string `json:"signature"`
	Count     uint64 `json:"count"`
	// Fields are the index-free fields of the differences, in their order.
	Fields []string `json:"fields"`
	// Triage and Options judge the signature; see [SignatureTriage].
	Triage  comparator.Triage `json:"triage"`
	Options []string          `json:"options,omitempty"`
	// Diffs are the differences of the first occurrence, at most 10.
	Diffs []DiffReport `json:"diffs"`
	// Truncated reports that the first occurrence had more differences.
	Truncated bool `json:"truncated"`
	// TraceIDs are the sampled traces of the latest occurrences (at most
	// 5), the most recent first: the shadow spans, children of the request
	// spans, carry the differences as events. Occurrences whose trace was
	// not sampled leave no id, since their traces were never exported.
	TraceIDs []string `json:"trace_ids"`
	// TraceURLs are the links to TraceIDs with telemetry.WithTraceURL, in the same
	// order.
	TraceURLs []string  `json:"trace_urls,omitempty"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
}

// DiffReport is one difference as the recorder keeps it: path, field, kind
// and triage hint, and the values only with telemetry.WithDiffValues.
type DiffReport struct {
	Path  string          `json:"path"`
	Field string          `json:"field"`
	Kind  comparator.Kind `json:"kind"`
	// Triage, Option and Note are the comparator's hint (comparator.Hint).
	Triage  comparator.Triage `json:"triage,omitempty"`
	Option  string            `json:"option,omitempty"`
	Note    string            `json:"note,omitempty"`
	Primary string            `json:"primary,omitempty"`
	Shadow  string            `json:"shadow,omitempty"`
}

// NoiseReport is one field of a route's noise: how often it differed
// between two reads of the primary (the A/A pairs) and how often its
// differences were absorbed between the primary and the shadow.
type NoiseReport struct {
	// Field is the index-free field (Diff.Field, or the path when empty).
	Field string `json:"field"`
	// AADiffered counts the A/A pairs of the route in which the field
	// differed, AARate their share of the route's A/A pairs.
	AADiffered uint64  `json:"aa_differed"`
	AARate     float64 `json:"aa_rate"`
	// Absorbed counts the route's comparisons with the shadow in which the
	// field's differences were absorbed as noise (telemetry.Event.Noise),
	// AbsorbedRate their share of the route's comparisons.
	Absorbed     uint64  `json:"absorbed"`
	AbsorbedRate float64 `json:"absorbed_rate"`
	// Suspicious flags a field absorbed between the stores far more often
	// than it differs between two primary reads: AbsorbedRate > 2 × AARate
	// + 0.05, once the route has 20 comparisons. Real data is likely being
	// absorbed.
	Suspicious bool      `json:"suspicious"`
	LastSeen   time.Time `json:"last_seen"`
}
