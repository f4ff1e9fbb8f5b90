package telemetry

import (
	"cmp"
	"slices"
	"time"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
)

// RouteReadiness says whether a route's shadow is ready to become its
// primary, in one direction: readiness is judged per route and direction,
// so figures from before and after a switch of the primary never mix.
//
// A sample is a sampled request whose shadow gave a verdict: a match, a
// mismatch, a transient mismatch, a shadow error or a timeout. Dropped and
// skipped requests are not samples, nor are A/A noise-baseline events. A
// failure is a mismatch, a shadow error or a timeout: each is an answer the
// user would have got wrong after the cutover. A transient mismatch (gone on
// a delayed re-check) is not a failure.
//
// The top-level figures are cumulative since the recorder started; Window
// covers the last [WithReadinessWindow] and SinceMark the time since
// [OTel.Mark].
type RouteReadiness struct {
	Route string `json:"route"`
	// Primary serves the route's responses and Shadow is compared with it.
	Primary backends.Name `json:"primary"`
	Shadow  backends.Name `json:"shadow"`
	// Samples counts the requests with a verdict, Mismatches and Errors
	// (shadow errors and timeouts) the failures among them.
	Samples    uint64 `json:"samples"`
	Mismatches uint64 `json:"mismatches"`
	Errors     uint64 `json:"errors"`
	// Transients counts the mismatches a delayed re-check no longer saw:
	// samples, not failures.
	Transients uint64 `json:"transients"`
	// FailureRate is (Mismatches+Errors)/Samples, 0 without samples.
	FailureRate float64 `json:"failure_rate"`
	// UpperBound is the one-sided 95% Clopper-Pearson upper bound on the
	// failure rate ([UpperBound]).
	UpperBound float64 `json:"upper_bound"`
	// Ready reports Samples >= the minimum ([WithMinSamples]) and UpperBound
	// < the threshold ([WithReadyThreshold]).
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

// ReadinessFigure is a readiness judgement over part of a route's events.
type ReadinessFigure struct {
	// Since is where the figure starts: the window's start or the mark.
	Since       time.Time `json:"since"`
	Samples     uint64    `json:"samples"`
	Mismatches  uint64    `json:"mismatches"`
	Errors      uint64    `json:"errors"`
	FailureRate float64   `json:"failure_rate"`
	UpperBound  float64   `json:"upper_bound"`
	Ready       bool      `json:"ready"`
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
	total := verdictCounts{
		mismatches: s.outcomes[Mismatch],
		errors:     s.outcomes[ShadowError] + s.outcomes[Timeout],
	}
	total.samples = total.mismatches + total.errors + s.outcomes[Match] + s.outcomes[Transient]
	all := t.figure(total, time.Time{})
	rr := RouteReadiness{
		Route:          s.route,
		Primary:        s.dir.primary,
		Shadow:         s.dir.shadow,
		Samples:        all.Samples,
		Mismatches:     all.Mismatches,
		Errors:         all.Errors,
		Transients:     s.outcomes[Transient],
		FailureRate:    all.FailureRate,
		UpperBound:     all.UpperBound,
		Ready:          all.Ready,
		Window:         t.figure(s.window, t.cfg.now().Add(-t.cfg.window)),
		PrimaryLatency: s.primaryLatency,
		ShadowLatency:  s.shadowLatency,
		Triage:         []SignatureTriage{},
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
	f := ReadinessFigure{Since: since, Samples: c.samples, Mismatches: c.mismatches, Errors: c.errors}
	failures := c.mismatches + c.errors
	if c.samples > 0 {
		f.FailureRate = float64(failures) / float64(c.samples)
	}
	f.UpperBound = UpperBound(failures, c.samples)
	f.Ready = c.samples >= t.cfg.minSamples && f.UpperBound < t.cfg.readyThreshold
	return f
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
