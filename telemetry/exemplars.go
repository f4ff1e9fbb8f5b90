package telemetry

import (
	"cmp"
	"slices"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/shadowread/shadowread/comparator"
)

// Bounds of one exemplar.
const (
	exemplarTraceIDs = 5  // most recent trace ids kept per signature
	exemplarDiffs    = 10 // differences kept from the first occurrence
)

// exemplar is what a route keeps about one diff signature.
type exemplar struct {
	signature string
	count     uint64
	diffs     []DiffReport // of the first occurrence
	truncated bool         // the first occurrence had more differences
	traceIDs  [exemplarTraceIDs]trace.TraceID
	nextTrace int // where the next trace id goes in traceIDs
	firstSeen time.Time
	lastSeen  time.Time

	lastLogged time.Time
	unlogged   uint64 // occurrences since the last log line
}

// exemplars holds a route's signatures, at most max of them.
type exemplars struct {
	max         int
	bySignature map[string]*exemplar
	// Signatures evicted to make room, and the mismatches they had counted.
	evictedSignatures uint64
	evictedMismatches uint64
}

func newExemplars(max int) exemplars {
	return exemplars{max: max, bySignature: make(map[string]*exemplar)}
}

// observe counts one mismatch with the given signature and returns its
// exemplar. A new signature at the limit evicts the one seen least often
// (the oldest among equals), so the frequent ones stay while rare ones churn.
func (x *exemplars) observe(sig string, r comparator.Result, traceID trace.TraceID, now time.Time, withValues bool) *exemplar {
	ex := x.bySignature[sig]
	if ex == nil {
		if len(x.bySignature) >= x.max {
			x.evict()
		}
		ex = &exemplar{
			signature: sig,
			diffs:     diffReports(r.Diffs, withValues),
			truncated: r.Truncated || len(r.Diffs) > exemplarDiffs,
			firstSeen: now,
		}
		x.bySignature[sig] = ex
	}
	ex.count++
	ex.lastSeen = now
	if traceID.IsValid() {
		ex.traceIDs[ex.nextTrace] = traceID
		ex.nextTrace = (ex.nextTrace + 1) % exemplarTraceIDs
	}
	return ex
}

func (x *exemplars) evict() {
	var victim *exemplar
	for _, ex := range x.bySignature {
		if victim == nil || ex.count < victim.count ||
			ex.count == victim.count && ex.lastSeen.Before(victim.lastSeen) {
			victim = ex
		}
	}
	delete(x.bySignature, victim.signature)
	x.evictedSignatures++
	x.evictedMismatches += victim.count
}

// diffReports copies at most exemplarDiffs differences, with clipped paths
// and with values only when they were opted in.
func diffReports(diffs []comparator.Diff, withValues bool) []DiffReport {
	out := make([]DiffReport, 0, min(len(diffs), exemplarDiffs))
	for _, d := range diffs[:min(len(diffs), exemplarDiffs)] {
		dr := DiffReport{Path: clip(d.Path), Field: clip(d.FieldName()), Kind: d.Kind,
			Triage: d.Hint.Triage, Option: clip(d.Hint.Option), Note: clip(d.Hint.Note)}
		if withValues {
			dr.Primary, dr.Shadow = clip(d.Primary), clip(d.Shadow)
		}
		out = append(out, dr)
	}
	return out
}

// report returns the signatures, the most frequent first.
func (x *exemplars) report() []SignatureReport {
	out := make([]SignatureReport, 0, len(x.bySignature))
	for _, ex := range x.bySignature {
		out = append(out, ex.report())
	}
	slices.SortFunc(out, func(a, b SignatureReport) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Signature, b.Signature))
	})
	return out
}

func (ex *exemplar) report() SignatureReport {
	sr := SignatureReport{
		Signature: ex.signature,
		Count:     ex.count,
		Diffs:     slices.Clone(ex.diffs),
		Fields:    fields(ex.diffs),
		Truncated: ex.truncated,
		TraceIDs:  []string{},
		FirstSeen: ex.firstSeen,
		LastSeen:  ex.lastSeen,
	}
	sr.Triage, sr.Options = triage(ex.diffs)
	// Most recent first: walk the ring backwards from the last write.
	for i := range exemplarTraceIDs {
		id := ex.traceIDs[(ex.nextTrace-1-i+2*exemplarTraceIDs)%exemplarTraceIDs]
		if id.IsValid() {
			sr.TraceIDs = append(sr.TraceIDs, id.String())
		}
	}
	return sr
}
