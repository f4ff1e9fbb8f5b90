package demo

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/example/internal/app"
	"github.com/shadowread/shadowread/telemetry"
	"github.com/shadowread/shadowread/telemetry/report"
)

// Verdict says whether the shadow reads saw one drift as they should: a
// real difference as a mismatch, a representation difference never.
type Verdict struct {
	Drift Drift
	// Outcomes of the sampled reads of the drift's paths; Others counts
	// the rest, by outcome in ByOutcome.
	Matches, Mismatches, Others uint64
	ByOutcome                   Verdicts
	// Rechecks counts the re-check results of those reads.
	Rechecks map[telemetry.RecheckResult]uint64
	OK       bool
	Says     string
}

// Judge gives each drift its verdict from the tracker's per-path counts.
func Judge(drifts []Drift, t *Tracker) []Verdict {
	out := make([]Verdict, len(drifts))
	for i, d := range drifts {
		v := Verdict{Drift: d, ByOutcome: Verdicts{}, Rechecks: map[telemetry.RecheckResult]uint64{}}
		for _, p := range d.Paths {
			for r, n := range t.Rechecks(p) {
				v.Rechecks[r] += n
			}
			for outcome, n := range t.Verdicts(p) {
				v.ByOutcome[outcome] += n
				switch outcome {
				case telemetry.Match:
					v.Matches += n
				case telemetry.Mismatch:
					v.Mismatches += n
				default:
					v.Others += n
				}
			}
		}
		repaired := v.Rechecks[telemetry.RecheckRepaired]
		switch {
		case d.Repaired && v.Mismatches > 0 && repaired > 0:
			v.OK, v.Says = true, fmt.Sprintf("found: %s mismatches, %s repaired", Count(v.Mismatches), Count(repaired))
		case d.Repaired:
			v.Says = fmt.Sprintf("MISSED: %s mismatches, none repaired%s", Count(v.Mismatches), v.others())
		case !d.Benign && v.Mismatches > 0:
			v.OK, v.Says = true, fmt.Sprintf("found: %s mismatches", Count(v.Mismatches))
		case !d.Benign:
			v.Says = fmt.Sprintf("MISSED: %s matches, no mismatch%s", Count(v.Matches), v.others())
		case v.Mismatches > 0:
			v.Says = fmt.Sprintf("FALSE MISMATCH: %s mismatches", Count(v.Mismatches))
		case v.Matches > 0:
			v.OK, v.Says = true, fmt.Sprintf("absorbed: %s matches", Count(v.Matches))
		default:
			v.Says = "NOT COMPARED: no sampled read" + v.others()
		}
		out[i] = v
	}
	return out
}

// others lists the outcomes other than match and mismatch, for evidence.
func (v Verdict) others() string {
	var parts []string
	for _, oc := range telemetry.Outcomes() {
		if n := v.ByOutcome[oc]; n > 0 && oc != telemetry.Match && oc != telemetry.Mismatch {
			parts = append(parts, fmt.Sprintf("%s %s", Count(n), oc))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// WriteRoutes prints the recorder's report per route and direction:
// outcomes (transient: a mismatch that a delayed re-check no longer saw),
// re-checks, readiness and the share of sampled requests DynamoDB served;
// then one line per mismatch signature with its triage.
func WriteRoutes(p *Printer, rep report.Report, t *Tracker) {
	p.Printf("  %-31s %-8s %7s %7s %8s %9s %7s %5s %7s %7s %6s %9s  %s\n",
		"route", "primary", "samples", "match", "mismatch", "transient", "recheck", "error", "dropped", "skipped", "cover", "ddb-prim*", "readiness")
	rechecks := map[telemetry.RecheckResult]uint64{}
	for _, r := range rep.Routes {
		n := map[telemetry.Outcome]uint64{}
		for _, oc := range r.Outcomes {
			n[telemetry.Outcome(oc.Outcome)] = oc.Count
		}
		var rechecked uint64
		for _, rc := range r.Rechecks {
			rechecked += rc.Count
			rechecks[telemetry.RecheckResult(rc.Result)] += rc.Count
		}
		p.Printf("  %-31s %-8s %7s %7s %8s %9s %7s %5s %7s %7s %5.1f%% %8.1f%%  %s\n", r.Route, r.Primary,
			Count(r.Samples), Count(n[telemetry.Match]), Count(n[telemetry.Mismatch]), Count(n[telemetry.Transient]), Count(rechecked),
			Count(n[telemetry.ShadowError]+n[telemetry.Timeout]), Count(n[telemetry.Dropped]), Count(n[telemetry.Skipped]),
			100*r.Coverage, 100*t.PrimaryShare(r.Route, backends.DynamoDB), readiness(r.RouteReadiness, rep))
	}
	p.Printf("  samples: the sampled requests the verdict counts; cover: the share of sampled requests compared (minimum %.0f%%)\n", 100*rep.MinCoverage)
	p.Printf("  * share of sampled requests served by DynamoDB since the primary switch\n")
	for _, r := range rep.Routes {
		if len(r.NotCompared) == 0 {
			continue
		}
		var parts []string
		for _, nc := range r.NotCompared {
			part := fmt.Sprintf("%s %s", Count(nc.Count), nc.Outcome)
			if nc.Reason != "" {
				part += " (" + string(nc.Reason) + ")"
			}
			parts = append(parts, part)
		}
		p.Printf("  not compared  %-31s %-8s %s\n", r.Route, r.Primary, strings.Join(parts, ", "))
	}
	p.Printf("  re-checks (a mismatch read again %s later): %s transient, %s confirmed, %s repaired, %s absorbed, %s dropped, %s failed\n",
		Seconds(app.RecheckAfter), Count(rechecks[telemetry.RecheckTransient]), Count(rechecks[telemetry.RecheckConfirmed]),
		Count(rechecks[telemetry.RecheckRepaired]), Count(rechecks[telemetry.RecheckAbsorbed]),
		Count(rechecks[telemetry.RecheckDropped]), Count(rechecks[telemetry.RecheckFailed]))
	p.Printf("  transients by the write the re-check showed: %s\n", causes(t.Causes("")))
	p.Printf("\n  mismatch signatures and their triage (the report page has them with trace ids)\n")
	any := false
	for _, r := range rep.Routes {
		for _, s := range r.Signatures {
			any = true
			var diffs []string
			for _, d := range s.Diffs[:min(len(s.Diffs), shownDiffs)] {
				diffs = append(diffs, d.Path+" "+string(d.Kind))
			}
			more := ""
			switch {
			case s.Truncated:
				more = fmt.Sprintf(", ... (over %d differences)", len(s.Diffs))
			case len(s.Diffs) > shownDiffs:
				more = fmt.Sprintf(", ... (%d differences)", len(s.Diffs))
			}
			p.Printf("  %-31s %6s  %-44s %s%s\n", r.Route, Count(s.Count), Triage(s.Triage, s.Options), strings.Join(diffs, ", "), more)
		}
	}
	if !any {
		p.Printf("  none\n")
	}
}

// causes lists transients by reason: write_raced (the shadow's first
// answer is the primary's second) and shadow_lagged (the shadow's second
// answer is the primary's first), then any other.
func causes(byReason map[telemetry.Reason]uint64) string {
	parts := []string{
		fmt.Sprintf("%s %s", Count(byReason[telemetry.ReasonWriteRaced]), telemetry.ReasonWriteRaced),
		fmt.Sprintf("%s %s", Count(byReason[telemetry.ReasonShadowLagged]), telemetry.ReasonShadowLagged),
	}
	for _, r := range append([]telemetry.Reason{""}, telemetry.Reasons()...) {
		if n := byReason[r]; n > 0 && r != telemetry.ReasonWriteRaced && r != telemetry.ReasonShadowLagged {
			name := string(r)
			if r == "" {
				name = "no cause given"
			}
			parts = append(parts, fmt.Sprintf("%s %s", Count(n), name))
		}
	}
	return strings.Join(parts, ", ")
}

// Triage says in a few words what a mismatch signature looks like.
func Triage(t comparator.Triage, options []string) string {
	switch t {
	case comparator.TriageDataLoss:
		return "data loss: no option should hide it"
	case comparator.TriageRepresentation:
		if len(options) == 0 {
			return "representation"
		}
		return "representation: " + strings.Join(options, ", ")
	}
	return "unclear: a person has to look"
}

// WriteNoise prints, per route with A/A pairs or absorbed differences,
// every field the recorder counted: in how many A/A pairs (the primary read
// twice) it differed, in how many comparisons with the shadow its
// differences were absorbed as noise, whether the middleware has learned it
// (learned gives a route's fields), and whether the recorder finds it
// suspicious (absorbed far more often than it differs between two primary
// reads: real data is likely being absorbed).
func WriteNoise(p *Printer, rep report.Report, learned func(route string) []string) {
	if len(rep.Noise) == 0 {
		p.Printf("  none: no A/A pair ran and nothing was absorbed\n")
		return
	}
	for _, rn := range rep.Noise {
		p.Printf("  %-31s %6s A/A pairs, %s comparisons with the shadow\n", rn.Route, Count(rn.Baseline), Count(rn.Compared))
		if len(rn.Fields) == 0 {
			p.Printf("      no field differed\n")
		}
		known := learned(rn.Route)
		for _, f := range rn.Fields {
			var marks []string
			if slices.Contains(known, f.Field) {
				marks = append(marks, "learned")
			}
			if f.Suspicious {
				marks = append(marks, "SUSPICIOUS: absorbed far more often than it differs between two primary reads")
			}
			p.Printf("      %-28s differed in %s A/A pairs (%.0f%%), absorbed in %s comparisons (%.0f%%)  %s\n",
				f.Field, Count(f.AADiffered), 100*f.AARate, Count(f.Absorbed), 100*f.AbsorbedRate, strings.Join(marks, ", "))
		}
	}
}

// suspicious returns the fields the recorder flags as absorbed far more
// often than they differ between two primary reads, as route field.
func suspicious(rep report.Report) []string {
	var out []string
	for _, rn := range rep.Noise {
		for _, f := range rn.Fields {
			if f.Suspicious {
				out = append(out, rn.Route+" "+f.Field)
			}
		}
	}
	return out
}

// absorbedIn returns how often a difference on field was absorbed as
// noise of route.
func absorbedIn(rep report.Report, route, field string) uint64 {
	for _, rn := range rep.Noise {
		for _, nr := range rn.Fields {
			if rn.Route == route && nr.Field == field {
				return nr.Absorbed
			}
		}
	}
	return 0
}

// shownDiffs is how many differences of a signature the report lists.
const shownDiffs = 3

func readiness(r report.RouteReadiness, rep report.Report) string {
	failures := r.Mismatches + r.Errors
	switch {
	case r.Ready:
		return fmt.Sprintf("ready (failure rate < %.2g%% at 95%%, %.1f%% compared)", 100*r.UpperBound, 100*r.Coverage)
	case failures > 0:
		return fmt.Sprintf("not ready: %s failures", Count(failures))
	case r.Coverage < rep.MinCoverage:
		return fmt.Sprintf("not ready: %.1f%% compared, under %.0f%%", 100*r.Coverage, 100*rep.MinCoverage)
	case r.CleanSamplesNeeded > 0:
		return fmt.Sprintf("collecting: %s more clean samples", Count(r.CleanSamplesNeeded))
	}
	return fmt.Sprintf("not ready: bound %.2g%%", 100*r.UpperBound)
}

// WriteLatency prints each store's handler time over the sampled requests.
func WriteLatency(p *Printer, t *Tracker) {
	for _, b := range backends.Names() {
		p50, p99, n := t.Latency(b)
		p.Printf("  %-9s p50 %9s   p99 %9s   (%s handler runs, as primary or shadow)\n", b, Millis(p50), Millis(p99), Count(n))
	}
}

// WriteVerdicts prints the verdict of every drift and the mismatches
// nobody injected.
func WriteVerdicts(p *Printer, verdicts []Verdict, t *Tracker) {
	for _, kind := range []bool{false, true} {
		if kind {
			p.Printf("\n  representation differences (the preset must absorb them)\n")
		} else {
			p.Printf("  real differences (the report must find them)\n")
		}
		for _, v := range verdicts {
			if v.Drift.Benign != kind {
				continue
			}
			mark := "ok  "
			if !v.OK {
				mark = "FAIL"
			}
			p.Printf("  %s %-38s %-30s %s\n", mark, v.Drift.What, v.Says, v.Drift.Detail)
		}
	}
	n, unexpected := t.Unexpected()
	if n == 0 {
		p.Printf("\n  mismatches on requests without drift: none\n")
		return
	}
	p.Printf("\n  FAIL mismatches on requests without drift: %s\n", Count(n))
	for _, u := range unexpected {
		p.Printf("       %s %s: %s\n", u.Route, u.Path, strings.Join(u.Paths, ", "))
	}
}

// Phase is a step of the demo and how long it took.
type Phase struct {
	Name     string
	Duration time.Duration
}

// WritePhases prints the phases' durations on one line.
func WritePhases(p *Printer, phases []Phase, total time.Duration) {
	var parts []string
	for _, ph := range phases {
		parts = append(parts, ph.Name+" "+Seconds(ph.Duration))
	}
	p.Printf("  %s; total %s\n", strings.Join(parts, ", "), Seconds(total))
}
