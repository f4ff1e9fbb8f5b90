package telemetry

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/telemetry/internal/bound"
	"github.com/shadowread/shadowread/telemetry/internal/verdict"
	"github.com/shadowread/shadowread/telemetry/report"
)

// Readiness returns the readiness of every route and direction with events,
// by route ([backends.OverflowRoute] last), then by direction.
func (o *OTel) Readiness() []report.RouteReadiness {
	var out []report.RouteReadiness
	for _, s := range o.track.snapshots() {
		out = append(out, o.track.readiness(s))
	}
	return out
}

// verdictOf returns the readiness contribution of an event with the
// outcome label o and the reason label reason. Every outcome is sampled;
// only match, mismatch and shadow error are compared. A timeout is a
// failure that was never compared; a transient is neither a sample nor a
// failure.
func verdictOf(o Outcome, reason Reason) verdict.Verdict {
	switch o {
	case Match:
		return verdict.Verdict{Compared: true, Sample: true}
	case Mismatch:
		return verdict.Verdict{Compared: true, Sample: true, Mismatch: true}
	case ShadowError:
		return verdict.Verdict{Compared: true, Sample: true, Err: true}
	case Timeout:
		return verdict.Verdict{Sample: true, Err: true, Outcome: string(o), Reason: string(reason)}
	}
	return verdict.Verdict{Outcome: string(o), Reason: string(reason)}
}

// snapshots returns the flows with events, by route, the overflow route
// last, then by direction.
func (t *tracker) snapshots() []flowSnapshot {
	now := t.cfg.now()
	var out []flowSnapshot
	for _, r := range t.routes.all() {
		r.mu.Lock()
		for _, f := range r.flows {
			if s := f.snapshot(now); s.events > 0 {
				out = append(out, s)
			}
		}
		r.mu.Unlock()
	}
	slices.SortFunc(out, func(a, b flowSnapshot) int {
		return cmp.Or(compareRoutes(a.route, b.route), compareDirections(a.dir, b.dir))
	})
	return out
}

// readiness computes the readiness of the snapshot's flow.
func (t *tracker) readiness(s flowSnapshot) report.RouteReadiness {
	all := t.figure(s.total, time.Time{})
	rr := report.RouteReadiness{
		Route:              s.route,
		Primary:            s.dir.primary,
		Shadow:             s.dir.shadow,
		Samples:            all.Samples,
		Mismatches:         all.Mismatches,
		Errors:             all.Errors,
		Transients:         s.outcomes[Transient],
		Sampled:            all.Sampled,
		Compared:           all.Compared,
		Coverage:           all.Coverage,
		NotCompared:        all.NotCompared,
		FailureRate:        all.FailureRate,
		UpperBound:         all.UpperBound,
		CleanSamplesNeeded: all.CleanSamplesNeeded,
		Ready:              all.Ready,
		Window:             t.figure(s.window, t.cfg.now().Add(-t.cfg.window)),
		PrimaryLatency:     s.primaryLatency,
		ShadowLatency:      s.shadowLatency,
		Triage:             []report.SignatureTriage{},
	}
	if mark := t.marked(); !mark.IsZero() {
		f := t.figure(s.sinceMark, mark)
		rr.SinceMark = &f
	}
	for _, sig := range s.signatures {
		rr.Triage = append(rr.Triage, report.SignatureTriage{
			Signature: sig.Signature, Count: sig.Count, Fields: sig.Fields, Triage: sig.Triage, Options: sig.Options,
		})
	}
	return rr
}

// figure judges counts against the readiness settings.
func (t *tracker) figure(c verdict.Counts, since time.Time) report.ReadinessFigure {
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
	if need := max(t.need.Samples(failures), t.cfg.minSamples); need > c.Samples {
		f.CleanSamplesNeeded = need - c.Samples
	}
	f.Ready = c.Samples >= t.cfg.minSamples && f.UpperBound < t.cfg.readyThreshold && f.Coverage >= t.cfg.minCoverage
	return f
}

// notCompared lists counts by outcome and reason, the most frequent first,
// then in the order of [Outcomes] and [Reasons].
func notCompared(m map[verdict.NotComparedKey]uint64) []report.NotCompared {
	out := make([]report.NotCompared, 0, len(m))
	for k, n := range m {
		out = append(out, report.NotCompared{Outcome: k.Outcome, Reason: k.Reason, Count: n})
	}
	outcomes, reasons := Outcomes(), Reasons()
	// rank orders by position in the list, unknown values ("other") last.
	rank := func(i int) int {
		if i < 0 {
			return math.MaxInt
		}
		return i
	}
	reasonRank := func(r string) int {
		if r == "" {
			return -1
		}
		return rank(slices.Index(reasons, Reason(r)))
	}
	slices.SortFunc(out, func(a, b report.NotCompared) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count),
			cmp.Compare(rank(slices.Index(outcomes, Outcome(a.Outcome))), rank(slices.Index(outcomes, Outcome(b.Outcome)))),
			cmp.Compare(reasonRank(a.Reason), reasonRank(b.Reason)))
	})
	return out
}

// compareRoutes orders routes by name, the overflow route last.
func compareRoutes(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == backends.OverflowRoute:
		return 1
	case b == backends.OverflowRoute:
		return -1
	case a < b:
		return -1
	}
	return 1
}

// compareDirections puts postgres→dynamodb (before the switch) first, then
// dynamodb→postgres, then anything with an unknown backend.
func compareDirections(a, b direction) int {
	rank := func(d direction) int {
		switch d {
		case direction{backends.Postgres, backends.DynamoDB}:
			return 0
		case direction{backends.DynamoDB, backends.Postgres}:
			return 1
		}
		return 2
	}
	return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(a.primary, b.primary), cmp.Compare(a.shadow, b.shadow))
}
