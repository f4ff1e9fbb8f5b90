package telemetry

import (
	"net/http"
	"strings"

	"github.com/shadowread/shadowread/telemetry/report"
)

// Report returns what the recorder knows about every route and direction
// with events: outcome counts, readiness (cumulative, windowed and since the
// mark) with its coverage, latencies, the most frequent diff signatures with
// their triage, re-checks and the noise counts.
func (o *OTel) Report() report.Report {
	now := o.cfg.now()
	rep := report.Report{
		Generated:      now,
		ReadyThreshold: o.cfg.readyThreshold,
		MinSamples:     o.cfg.minSamples,
		MinCoverage:    o.cfg.minCoverage,
		Window:         o.cfg.window,
		Mark:           o.track.Marked(),
		Routes:         []report.RouteReport{},
		Noise:          o.track.Noise(),
		Problems:       o.problems.current(),
	}
	for _, s := range o.track.Snapshots() {
		rr := report.RouteReport{
			RouteReadiness:    o.readiness(s),
			Signatures:        s.Signatures,
			EvictedSignatures: s.EvictedSignatures,
			EvictedMismatches: s.EvictedMismatches,
		}
		for _, oc := range Outcomes() {
			rr.Outcomes = append(rr.Outcomes, report.OutcomeCount{Outcome: oc, Count: s.Outcomes[string(oc)]})
		}
		for _, res := range recheckResults {
			rr.Rechecks = append(rr.Rechecks, report.RecheckCount{Result: res, Count: s.Rechecks[string(res)]})
		}
		if o.cfg.traceURL != "" {
			for i := range rr.Signatures {
				sig := &rr.Signatures[i]
				for _, id := range sig.TraceIDs {
					sig.TraceURLs = append(sig.TraceURLs, o.traceURL(id))
				}
			}
		}
		rep.Routes = append(rep.Routes, rr)
	}
	return rep
}

// ReportHandler returns a handler that serves [OTel.Report] as a small,
// self-contained HTML page (no external assets), or as JSON for
// ?format=json or a request that accepts application/json but not HTML.
// Mount it on an internal address, for example at /debug/shadowread: it
// shows routes, diff paths and trace ids, though never diff values unless
// [WithDiffValues] is set or the comparator shows them (comparator.ShowValues).
func (o *OTel) ReportHandler() http.Handler {
	return report.Handler(o.Report)
}

// traceURL returns the link to a trace with [WithTraceURL], "" without.
func (o *OTel) traceURL(id string) string {
	if o.cfg.traceURL == "" {
		return ""
	}
	return strings.ReplaceAll(o.cfg.traceURL, traceIDPlaceholder, id)
}
