package report

import (
	"time"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/telemetry/internal/bound"
	"github.com/shadowread/shadowread/telemetry/internal/vocab"
)

// RouteReadiness says whether a route's shadow is ready to become its
// primary, in one direction: readiness is judged per route and direction,
// so figures from before and after a switch of the primary never mix.
//
// Every sampled request (A/A noise-baseline events aside) is counted in
// Sampled. It was compared when the shadow gave an answer the user could
// have got: a match, a mismatch or a shadow error. A sample, for the bound,
// is a compared request or a timeout; a failure is a mismatch, a shadow
// error or a timeout, each an answer the user would have got wrong after
// the cutover. Transient mismatches (the re-check showed the write that
// explains them), drops and skips are neither samples nor failures: they
// were never compared, so they lower Coverage, as timeouts do.
//
// The top-level figures are cumulative since the recorder started; Window
// covers the last telemetry.WithReadinessWindow and SinceMark the time since
// telemetry.OTel.Mark.
type RouteReadiness struct {
	Route string `json:"route"`
	// Primary serves the route's responses and Shadow is compared with it.
	Primary backends.Name `json:"primary"`
	Shadow  backends.Name `json:"shadow"`
	// Samples counts the requests that count towards the bound (matches,
	// mismatches, shadow errors, timeouts), Mismatches and Errors (shadow
	// errors and timeouts) the failures among them.
	Samples    uint64 `json:"samples"`
	Mismatches uint64 `json:"mismatches"`
	Errors     uint64 `json:"errors"`
	// Transients counts the mismatches the re-check explained by a write:
	// neither samples nor failures, they lower Coverage.
	Transients uint64 `json:"transients"`
	// Sampled counts every sampled request of every outcome, Compared those
	// the shadow answered (match, mismatch, shadow error).
	Sampled  uint64 `json:"sampled"`
	Compared uint64 `json:"compared"`
	// Coverage is Compared/Sampled, 0 with nothing sampled: the share of
	// the route's sampled requests the verdict speaks for.
	Coverage float64 `json:"coverage"`
	// NotCompared says what lowered Coverage: the sampled requests that were
	// not compared, by outcome and reason (transients by write_raced or
	// shadow_lagged), the most frequent first.
	NotCompared []NotCompared `json:"not_compared"`
	// FailureRate is (Mismatches+Errors)/Samples, 0 without samples.
	FailureRate float64 `json:"failure_rate"`
	// UpperBound is the one-sided 95% Clopper-Pearson upper bound on the
	// failure rate ([UpperBound]).
	UpperBound float64 `json:"upper_bound"`
	// CleanSamplesNeeded is how many more failure-free samples the route
	// needs before its bound drops below the threshold with the failures it
	// has, and it has the minimum number of samples: the smallest n with
	// UpperBound(failures, n) < threshold and n >= telemetry.WithMinSamples, minus
	// Samples; 0 when it has them.
	CleanSamplesNeeded uint64 `json:"clean_samples_needed"`
	// Ready reports Samples >= the minimum (telemetry.WithMinSamples), UpperBound
	// < the threshold (telemetry.WithReadyThreshold) and Coverage >= the minimum
	// coverage (telemetry.WithMinCoverage).
	Ready bool `json:"ready"`
	// Window is the same judgement over the sliding window.
	Window ReadinessFigure `json:"window"`
	// SinceMark is the same judgement since the latest telemetry.OTel.Mark; nil
	// when no mark was set.
	SinceMark *ReadinessFigure `json:"since_mark,omitempty"`
	// PrimaryLatency and ShadowLatency are the handler times of the two roles.
	PrimaryLatency LatencySummary `json:"primary_latency"`
	ShadowLatency  LatencySummary `json:"shadow_latency"`
	// Triage judges each kept mismatch signature, the most frequent first.
	Triage []SignatureTriage `json:"triage"`
}

// ReadinessFigure is a readiness judgement over part of a route's events,
// with the fields of [RouteReadiness] of the same names.
type ReadinessFigure struct {
	// Since is where the figure starts: the window's start or the mark.
	Since              time.Time     `json:"since"`
	Samples            uint64        `json:"samples"`
	Mismatches         uint64        `json:"mismatches"`
	Errors             uint64        `json:"errors"`
	Sampled            uint64        `json:"sampled"`
	Compared           uint64        `json:"compared"`
	Coverage           float64       `json:"coverage"`
	NotCompared        []NotCompared `json:"not_compared"`
	FailureRate        float64       `json:"failure_rate"`
	UpperBound         float64       `json:"upper_bound"`
	CleanSamplesNeeded uint64        `json:"clean_samples_needed"`
	Ready              bool          `json:"ready"`
}

// NotCompared counts the sampled requests of one outcome and reason that
// were not compared: transient (write_raced, shadow_lagged), timeout,
// dropped or skipped.
type NotCompared struct {
	Outcome vocab.Outcome `json:"outcome"`          // a telemetry.Outcome
	Reason  vocab.Reason  `json:"reason,omitempty"` // a telemetry.Reason, empty when the outcome has none
	Count   uint64        `json:"count"`
}

// SignatureTriage says what one mismatch signature looks like.
type SignatureTriage struct {
	Signature string `json:"signature"`
	Count     uint64 `json:"count"`
	// Fields are the index-free fields of its differences.
	Fields []string `json:"fields"`
	// Triage is comparator.TriageRepresentation when every difference says
	// the same thing in another form, comparator.TriageDataLoss when one
	// looks like lost information, and empty when neither is clear.
	Triage comparator.Triage `json:"triage"`
	// Options name the comparator options that would absorb a
	// representation difference. Nothing is absorbed automatically.
	Options []string `json:"options,omitempty"`
}

// UpperBound returns the one-sided 95% Clopper-Pearson upper bound on a rate
// of which failures events were seen in samples trials, the figure of
// [RouteReadiness].UpperBound: the largest rate p for which seeing at most
// failures events still has a 5% chance. It is 1 without samples and
// 1-0.05^(1/samples) (about 3/samples) without failures.
//
// The bound is the 0.95 quantile of the Beta(failures+1, samples-failures)
// distribution, found by bisection on the regularized incomplete beta
// function; it is accurate to about 1e-11 relative up to ten million samples
// and 1e-9 at a billion.
func UpperBound(failures, samples uint64) float64 {
	return bound.UpperBound(failures, samples)
}

// LatencySummary describes the handler times of one role on one route.
type LatencySummary struct {
	// Count is the number of executions measured.
	Count uint64 `json:"count"`
	// P50 and P99 are estimates within 4.5% of the true quantiles.
	P50 time.Duration `json:"p50_ns"`
	P99 time.Duration `json:"p99_ns"`
}
