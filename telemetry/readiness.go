package telemetry

import "slices"

// RouteReadiness says whether a route's shadow is ready to become its
// primary.
//
// A sample is a sampled request whose shadow gave a verdict: a match, a
// mismatch, a transient mismatch, a shadow error or a timeout. Dropped and
// skipped requests are not samples. A failure is a mismatch, a shadow error
// or a timeout: each is an answer the user would have got wrong after the
// cutover. A transient mismatch (gone on a delayed re-check) is not a
// failure.
type RouteReadiness struct {
	Route string `json:"route"`
	// Samples counts the requests with a verdict, Mismatches and Errors
	// (shadow errors and timeouts) the failures among them.
	Samples    uint64 `json:"samples"`
	Mismatches uint64 `json:"mismatches"`
	Errors     uint64 `json:"errors"`
	// FailureRate is (Mismatches+Errors)/Samples, 0 without samples.
	FailureRate float64 `json:"failure_rate"`
	// UpperBound is the one-sided 95% Clopper-Pearson upper bound on the
	// failure rate ([UpperBound]).
	UpperBound float64 `json:"upper_bound"`
	// Ready reports Samples >= the minimum ([WithMinSamples]) and UpperBound
	// < the threshold ([WithReadyThreshold]).
	Ready bool `json:"ready"`
	// PrimaryLatency and ShadowLatency are the handler times of the two roles.
	PrimaryLatency LatencySummary `json:"primary_latency"`
	ShadowLatency  LatencySummary `json:"shadow_latency"`
}

// Readiness returns the readiness of every route with events, by route.
func (o *OTel) Readiness() []RouteReadiness {
	var out []RouteReadiness
	for _, s := range o.snapshots(false) {
		out = append(out, s.readiness(o.cfg))
	}
	return out
}

// snapshots returns the routes with events, by route, the overflow route last.
func (o *OTel) snapshots(withSignatures bool) []routeSnapshot {
	var out []routeSnapshot
	for _, r := range o.routes.all() {
		if s := r.snapshot(withSignatures); s.events > 0 {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b routeSnapshot) int { return compareRoutes(a.name, b.name) })
	return out
}

// readiness computes the readiness of the snapshot's route.
func (s routeSnapshot) readiness(cfg config) RouteReadiness {
	rr := RouteReadiness{
		Route:          s.name,
		Mismatches:     s.outcomes[Mismatch],
		Errors:         s.outcomes[ShadowError] + s.outcomes[Timeout],
		PrimaryLatency: s.primaryLatency,
		ShadowLatency:  s.shadowLatency,
	}
	rr.Samples = rr.Mismatches + rr.Errors + s.outcomes[Match] + s.outcomes[Transient]
	failures := rr.Mismatches + rr.Errors
	if rr.Samples > 0 {
		rr.FailureRate = float64(failures) / float64(rr.Samples)
	}
	rr.UpperBound = UpperBound(failures, rr.Samples)
	rr.Ready = rr.Samples >= cfg.minSamples && rr.UpperBound < cfg.readyThreshold
	return rr
}

// compareRoutes orders routes by name, the overflow route last.
func compareRoutes(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == OverflowRoute:
		return 1
	case b == OverflowRoute:
		return -1
	case a < b:
		return -1
	}
	return 1
}
