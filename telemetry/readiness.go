package telemetry

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/shadowread/shadowread/telemetry/internal/bound"
	"github.com/shadowread/shadowread/telemetry/internal/track"
	"github.com/shadowread/shadowread/telemetry/internal/verdict"
	"github.com/shadowread/shadowread/telemetry/report"
)

// Readiness returns the readiness of every route and direction with events,
// by route ([backends.OverflowRoute] last), then by direction.
func (o *OTel) Readiness() []report.RouteReadiness {
	var out []report.RouteReadiness
	for _, s := range o.track.Snapshots() {
		out = append(out, o.readiness(s))
	}
	return out
}

// readiness computes the readiness of the snapshot's flow.
func (o *OTel) readiness(s track.Snapshot) report.RouteReadiness {
	all := o.figure(s.Total, time.Time{})
	rr := report.RouteReadiness{
		Route:              s.Route,
		Primary:            s.Dir.Primary,
		Shadow:             s.Dir.Shadow,
		Samples:            all.Samples,
		Mismatches:         all.Mismatches,
		Errors:             all.Errors,
		Transients:         s.Outcomes[string(Transient)],
		Sampled:            all.Sampled,
		Compared:           all.Compared,
		Coverage:           all.Coverage,
		NotCompared:        all.NotCompared,
		FailureRate:        all.FailureRate,
		UpperBound:         all.UpperBound,
		CleanSamplesNeeded: all.CleanSamplesNeeded,
		Ready:              all.Ready,
		Window:             o.figure(s.Window, o.cfg.now().Add(-o.cfg.window)),
		PrimaryLatency:     s.PrimaryLatency,
		ShadowLatency:      s.ShadowLatency,
		Triage:             []report.SignatureTriage{},
	}
	if mark := o.track.Marked(); !mark.IsZero() {
		f := o.figure(s.SinceMark, mark)
		rr.SinceMark = &f
	}
	for _, sig := range s.Signatures {
		rr.Triage = append(rr.Triage, report.SignatureTriage{
			Signature: sig.Signature, Count: sig.Count, Fields: sig.Fields, Triage: sig.Triage, Options: sig.Options,
		})
	}
	return rr
}

// figure judges counts against the readiness settings.
func (o *OTel) figure(c verdict.Counts, since time.Time) report.ReadinessFigure {
	f := report.ReadinessFigure{
		Since: since, Samples: c.Samples, Mismatches: c.Mismatches, Errors: c.Errors,
		Sampled: c.Sampled, Compared: c.Compared, NotCompared: notCompared(c.NotCompared),
	}
	failures := c.Mismatches + c.Errors
	if c.Samples > 0 {
		f.FailureRate = float64(failures) / float64(c.Samples)
	}
	if c.Sampled > 0 {
		f.Coverage = float64(c.Compared) / float64(c.Sampled)
	}
	f.UpperBound = bound.UpperBound(failures, c.Samples)
	if need := max(o.need.Samples(failures), o.cfg.minSamples); need > c.Samples {
		f.CleanSamplesNeeded = need - c.Samples
	}
	f.Ready = c.Samples >= o.cfg.minSamples && f.UpperBound < o.cfg.readyThreshold && f.Coverage >= o.cfg.minCoverage
	return f
}

// notCompared lists counts by outcome and reason, the most frequent first,
// then in the order of [Outcomes] and [Reasons].
func notCompared(m map[verdict.NotComparedKey]uint64) []report.NotCompared {
	out := make([]report.NotCompared, 0, len(m))
	for k, n := range m {
		out = append(out, report.NotCompared{Outcome: Outcome(k.Outcome), Reason: Reason(k.Reason), Count: n})
	}
	outcomes, reasons := Outcomes(), Reasons()
	// rank orders by position in the list, unknown values ("other") last.
	rank := func(i int) int {
		if i < 0 {
			return math.MaxInt
		}
		return i
	}
	reasonRank := func(r Reason) int {
		if r == "" {
			return -1
		}
		return rank(slices.Index(reasons, r))
	}
	slices.SortFunc(out, func(a, b report.NotCompared) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count),
			cmp.Compare(rank(slices.Index(outcomes, a.Outcome)), rank(slices.Index(outcomes, b.Outcome))),
			cmp.Compare(reasonRank(a.Reason), reasonRank(b.Reason)))
	})
	return out
}
