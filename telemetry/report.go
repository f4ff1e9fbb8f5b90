package telemetry

import (
	"time"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
)

// Report is what the recorder knows about every route: outcome counts,
// readiness, latencies and the most frequent diff signatures. The report
// page ([OTel.ReportHandler]) renders it as HTML or JSON.
type Report struct {
	Generated time.Time `json:"generated"`
	// ReadyThreshold and MinSamples are the readiness settings
	// ([WithReadyThreshold], [WithMinSamples]).
	ReadyThreshold float64       `json:"ready_threshold"`
	MinSamples     uint64        `json:"min_samples"`
	Routes         []RouteReport `json:"routes"`
}

// RouteReport describes one route.
type RouteReport struct {
	RouteReadiness
	// Primary and Shadow name the backends of the route's latest event.
	Primary backends.Name `json:"primary"`
	Shadow  backends.Name `json:"shadow"`
	// Outcomes counts the route's events by outcome, in the order of
	// [Outcomes].
	Outcomes []OutcomeCount `json:"outcomes"`
	// Signatures are the kept diff signatures, the most frequent first.
	Signatures []SignatureReport `json:"signatures"`
	// EvictedSignatures counts the signatures dropped to make room for new
	// ones ([WithMaxSignatures]), EvictedMismatches the mismatches they had.
	EvictedSignatures uint64 `json:"evicted_signatures"`
	EvictedMismatches uint64 `json:"evicted_mismatches"`
}

// OutcomeCount is the number of events of a route with one outcome.
type OutcomeCount struct {
	Outcome Outcome `json:"outcome"`
	Count   uint64  `json:"count"`
}

// SignatureReport describes the mismatches of one route that share a diff
// signature: the same set of paths (array indexes collapsed) and kinds.
type SignatureReport struct {
	Signature string `json:"signature"`
	Count     uint64 `json:"count"`
	// Diffs are the differences of the first occurrence, at most 10.
	Diffs []DiffReport `json:"diffs"`
	// Truncated reports that the first occurrence had more differences.
	Truncated bool `json:"truncated"`
	// TraceIDs are the traces of the latest occurrences (at most 5), the
	// most recent first: the shadow spans carry the differences as events.
	TraceIDs  []string  `json:"trace_ids"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
}

// DiffReport is one difference as the recorder keeps it: path and kind, and
// the values only with [WithDiffValues].
type DiffReport struct {
	Path    string          `json:"path"`
	Kind    comparator.Kind `json:"kind"`
	Primary string          `json:"primary,omitempty"`
	Shadow  string          `json:"shadow,omitempty"`
}

// Report returns what the recorder knows about every route with events, by
// route, [OverflowRoute] last.
func (o *OTel) Report() Report {
	rep := Report{
		Generated:      o.cfg.now(),
		ReadyThreshold: o.cfg.readyThreshold,
		MinSamples:     o.cfg.minSamples,
		Routes:         []RouteReport{},
	}
	for _, s := range o.snapshots(true) {
		rr := RouteReport{
			RouteReadiness:    s.readiness(o.cfg),
			Primary:           s.primary,
			Shadow:            s.shadow,
			Signatures:        s.signatures,
			EvictedSignatures: s.evictedSignatures,
			EvictedMismatches: s.evictedMismatches,
		}
		for _, oc := range Outcomes() {
			rr.Outcomes = append(rr.Outcomes, OutcomeCount{Outcome: oc, Count: s.outcomes[oc]})
		}
		rep.Routes = append(rep.Routes, rr)
	}
	return rep
}
