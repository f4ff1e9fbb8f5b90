package middleware

import (
	"context"
	"fmt"
	"time"

	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/telemetry"
)

// verdict decides the outcome of a pair from what the primary and the
// shadow produced, before their responses are compared. An empty outcome
// means the two responses can be compared. timeout is the shadow's, for
// the error text.
func verdict(p primaryResult, sh shadowResult, timeout time.Duration) (telemetry.Outcome, telemetry.Reason, error) {
	switch {
	case p.skip != "":
		return telemetry.Skipped, p.skip, p.err
	case p.unfinished:
		// A long-lived primary (a stream) says nothing about the shadow.
		return telemetry.Skipped, telemetry.ReasonPrimaryOutlived, fmt.Errorf("middleware: the primary was still running when the shadow's %v timeout ended: %w", timeout, context.DeadlineExceeded)
	case sh.timedOut:
		return telemetry.Timeout, "", fmt.Errorf("middleware: shadow outlived its %v timeout: %w", timeout, context.DeadlineExceeded)
	case sh.err != nil:
		return telemetry.ShadowError, telemetry.ReasonPanic, sh.err
	case sh.behind:
		// The handler knew its store had not caught up for this entity:
		// evidence from this request that the difference is lag.
		return telemetry.Skipped, telemetry.ReasonShadowBehind, nil
	case sh.resp.Status >= 500:
		return telemetry.ShadowError, telemetry.ReasonStatus5xx, fmt.Errorf("middleware: shadow answered %d", sh.resp.Status)
	case sh.overflow:
		// The primary's body fit under the cap (else p.skip), the
		// shadow's did not: the bodies differ, at least in size.
		return telemetry.Mismatch, "", nil
	}
	return "", "", nil
}

// bodySizeField is the field of the difference between a body under the
// capture cap and one over it.
const bodySizeField = "$body_size"

// oversized is the comparison of primary, a body under the cap, with a
// shadow body over it.
func oversized(primary comparator.Response, max int64) comparator.Result {
	return comparator.Result{Diffs: []comparator.Diff{{
		Path:    bodySizeField,
		Field:   bodySizeField,
		Kind:    comparator.ValueChanged,
		Primary: fmt.Sprintf("%d bytes", len(primary.Body)),
		Shadow:  fmt.Sprintf("over %d bytes", max),
		Hint: comparator.Hint{
			Triage: comparator.TriageUnknown,
			Note:   "the shadow's body is over the capture cap (WithMaxBodyBytes) while the primary's is under it",
		},
	}}}
}

// compareOutcome turns the comparator's result into an outcome.
func compareOutcome(res comparator.Result) (telemetry.Outcome, telemetry.Reason, error) {
	switch {
	case res.Err != nil:
		return telemetry.Skipped, telemetry.ReasonCompareFailed, res.Err
	case res.Equal:
		return telemetry.Match, "", nil
	}
	return telemetry.Mismatch, "", nil
}
