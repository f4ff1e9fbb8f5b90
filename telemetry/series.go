package telemetry

import (
	"context"

	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/telemetry/internal/track"
)

// outcomeSeries are the (outcome, reason) pairs the middleware records: each
// a series of shadowread.comparisons per route and direction.
var outcomeSeries = []struct {
	outcome Outcome
	reason  Reason
}{
	{Match, ""}, {Mismatch, ""}, {Transient, ReasonWriteRaced}, {Transient, ReasonShadowLagged}, {Timeout, ""},
	{ShadowError, ""}, {ShadowError, ReasonPanic}, {ShadowError, ReasonStatus5xx},
	{Dropped, ""}, {Dropped, ReasonThrottled}, {Dropped, ReasonLatencyGuard}, {Dropped, ReasonClosed},
	{Skipped, ReasonBodyTooLarge}, {Skipped, ReasonPrimaryFailed}, {Skipped, ReasonCompareFailed},
	{Skipped, ReasonHijacked}, {Skipped, ReasonRequestTooLarge}, {Skipped, ReasonRequestUnreadable},
	{Skipped, ReasonRequestBodyUnread}, {Skipped, ReasonClientGone}, {Skipped, ReasonClosed},
	{Skipped, ReasonPrimaryOutlived}, {Skipped, ReasonShadowBehind},
}

// seriesPerFlow is the number of series startAtZero creates for one route
// and direction: the outcome series, a mismatch series per diff kind and a
// re-check series per result.
var seriesPerFlow = len(outcomeSeries) + len(diffKinds) + len(recheckResults)

var diffKinds = []comparator.Kind{comparator.MissingInShadow, comparator.ExtraInShadow,
	comparator.ValueChanged, comparator.TypeChanged, comparator.StatusChanged}

// startAtZero adds 0 to every counter series of f, so each exists before
// its first event: Prometheus ignores the first sample of a series in
// rate() and increase(), which would otherwise lose the first mismatch of a
// route. The route's mutex must be held; it runs once per flow.
func (in *instruments) startAtZero(f *track.Flow) {
	ctx := context.Background()
	for _, s := range outcomeSeries {
		in.comparisons.Add(ctx, 0, f.Measurement(track.AttrKey{Outcome: string(s.outcome), Reason: string(s.reason)}).Add...)
	}
	for _, k := range diffKinds {
		in.mismatches.Add(ctx, 0, f.Measurement(track.AttrKey{Kind: k}).Add...)
	}
	for _, r := range recheckResults {
		in.rechecks.Add(ctx, 0, f.Measurement(track.AttrKey{Recheck: string(r)}).Add...)
	}
}
