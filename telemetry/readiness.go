package telemetry

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
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
// covers the last [WithReadinessWindow] and SinceMark the time since
// [OTel.Mark].
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
	// UpperBound(failures, n) < threshold and n >= [WithMinSamples], minus
	// Samples; 0 when it has them.
	CleanSamplesNeeded uint64 `json:"clean_samples_needed"`
	// Ready reports Samples >= the minimum ([WithMinSamples]), UpperBound
	// < the threshold ([WithReadyThreshold]) and Coverage >= the minimum
	// coverage ([WithMinCoverage]).
	Ready bool `json:"ready"`
	// Window is the same judgement over the sliding window.
	Window ReadinessFigure `json:"window"`
	// SinceMark is the same judgement since the latest [OTel.Mark]; nil
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
	Outcome Outcome `json:"outcome"`
	Reason  Reason  `json:"reason,omitempty"`
	Count   uint64  `json:"count"`
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

// Readiness returns the readiness of every route and direction with events,
// by route ([backends.OverflowRoute] last), then by direction.
func (o *OTel) Readiness() []RouteReadiness {
	var out []RouteReadiness
	for _, s := range o.track.snapshots() {
		out = append(out, o.track.readiness(s))
	}
	return out
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
func (t *tracker) readiness(s flowSnapshot) RouteReadiness {
	all := t.figure(s.total, time.Time{})
	rr := RouteReadiness{
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
		Triage:             []SignatureTriage{},
	}
	if mark := t.marked(); !mark.IsZero() {
		f := t.figure(s.sinceMark, mark)
		rr.SinceMark = &f
	}
	for _, sig := range s.signatures {
		rr.Triage = append(rr.Triage, SignatureTriage{
			Signature: sig.Signature, Count: sig.Count, Fields: sig.Fields, Triage: sig.Triage, Options: sig.Options,
		})
	}
	return rr
}

// figure judges counts against the readiness settings.
func (t *tracker) figure(c verdictCounts, since time.Time) ReadinessFigure {
	f := ReadinessFigure{
		Since: since, Samples: c.samples, Mismatches: c.mismatches, Errors: c.errors,
		Sampled: c.sampled, Compared: c.compared, NotCompared: notCompared(c.notCompared),
	}
	failures := c.mismatches + c.errors
	if c.samples > 0 {
		f.FailureRate = float64(failures) / float64(c.samples)
	}
	if c.sampled > 0 {
		f.Coverage = float64(c.compared) / float64(c.sampled)
	}
	f.UpperBound = UpperBound(failures, c.samples)
	if need := max(t.need.samples(failures), t.cfg.minSamples); need > c.samples {
		f.CleanSamplesNeeded = need - c.samples
	}
	f.Ready = c.samples >= t.cfg.minSamples && f.UpperBound < t.cfg.readyThreshold && f.Coverage >= t.cfg.minCoverage
	return f
}

// notCompared lists counts by outcome and reason, the most frequent first,
// then in the order of [Outcomes] and [Reasons].
func notCompared(m map[notComparedKey]uint64) []NotCompared {
	out := make([]NotCompared, 0, len(m))
	for k, n := range m {
		out = append(out, NotCompared{Outcome: k.outcome, Reason: k.reason, Count: n})
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
	slices.SortFunc(out, func(a, b NotCompared) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count),
			cmp.Compare(rank(slices.Index(outcomes, a.Outcome)), rank(slices.Index(outcomes, b.Outcome))),
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
