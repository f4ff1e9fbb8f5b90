package exemplar

import (
	"cmp"
	"slices"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/telemetry/internal/label"
	"github.com/shadowread/shadowread/telemetry/report"
)

// Bounds of one exemplar.
const (
	exemplarTraceIDs = 5  // most recent trace ids kept per signature
	exemplarDiffs    = 10 // differences kept from the first occurrence
)

// Exemplar is what a route keeps about one diff signature.
type Exemplar struct {
	signature string
	count     uint64
	diffs     []report.DiffReport // of the first occurrence
	truncated bool                // the first occurrence had more differences
	traceIDs  [exemplarTraceIDs]trace.TraceID
	nextTrace int // where the next trace id goes in traceIDs
	firstSeen time.Time
	lastSeen  time.Time

	// The log limit's state: when a line was last logged for the
	// signature, and the occurrences since.
	LastLogged time.Time
	Unlogged   uint64
}

// Set holds a route's signatures, at most max of them.
type Set struct {
	max         int
	bySignature map[string]*Exemplar
	// Signatures evicted to make room, and the mismatches they had counted.
	EvictedSignatures uint64
	EvictedMismatches uint64
}

// NewSet returns an empty set that keeps at most max signatures.
func NewSet(max int) Set {
	return Set{max: max, bySignature: make(map[string]*Exemplar)}
}

// Observe counts one mismatch with the given signature and returns its
// exemplar. A new signature at the limit evicts the one seen least often
// (the oldest among equals), so the frequent ones stay while rare ones churn.
func (x *Set) Observe(sig string, r comparator.Result, traceID trace.TraceID, now time.Time, withValues bool) *Exemplar {
	ex := x.bySignature[sig]
	if ex == nil {
		if len(x.bySignature) >= x.max {
			x.evict()
		}
		ex = &Exemplar{
			signature: sig,
			diffs:     DiffReports(r.Diffs, withValues),
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

func (x *Set) evict() {
	var victim *Exemplar
	for _, ex := range x.bySignature {
		if victim == nil || ex.count < victim.count ||
			ex.count == victim.count && ex.lastSeen.Before(victim.lastSeen) {
			victim = ex
		}
	}
	delete(x.bySignature, victim.signature)
	x.EvictedSignatures++
	x.EvictedMismatches += victim.count
}

// DiffReports copies at most 10 differences, with clipped paths and with
// values only when they were opted in.
func DiffReports(diffs []comparator.Diff, withValues bool) []report.DiffReport {
	out := make([]report.DiffReport, 0, min(len(diffs), exemplarDiffs))
	for _, d := range diffs[:min(len(diffs), exemplarDiffs)] {
		dr := report.DiffReport{Path: label.Clip(d.Path), Field: label.Clip(d.FieldName()), Kind: d.Kind,
			Triage: d.Hint.Triage, Option: label.Clip(d.Hint.Option), Note: label.Clip(d.Hint.Note)}
		if withValues {
			dr.Primary, dr.Shadow = label.Clip(d.Primary), label.Clip(d.Shadow)
		}
		out = append(out, dr)
	}
	return out
}

// Report returns the signatures, the most frequent first.
func (x *Set) Report() []report.SignatureReport {
	out := make([]report.SignatureReport, 0, len(x.bySignature))
	for _, ex := range x.bySignature {
		out = append(out, ex.report())
	}
	slices.SortFunc(out, func(a, b report.SignatureReport) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Signature, b.Signature))
	})
	return out
}

func (ex *Exemplar) report() report.SignatureReport {
	sr := report.SignatureReport{
		Signature: ex.signature,
		Count:     ex.count,
		Diffs:     slices.Clone(ex.diffs),
		Fields:    Fields(ex.diffs),
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
