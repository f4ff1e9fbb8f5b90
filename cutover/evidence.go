package cutover

import (
	"context"
	"time"
)

// Evidence is where the controller reads what the fleet, or one process,
// has seen of a route. Sources adapt their figures to it: [Local] reads one
// process's telemetry; the Prometheus source of the shadowread-cutover
// command reads the fleet's recording rules.
type Evidence interface {
	// Route returns the evidence of route. An error means there is none
	// to judge by: the controller holds the route where it is.
	Route(ctx context.Context, route string) (RouteEvidence, error)
}

// RouteEvidence is what the gates of one route judge.
type RouteEvidence struct {
	// Forward is the readiness of DynamoDB as the shadow of PostgreSQL,
	// Reverse that of PostgreSQL as the shadow of DynamoDB: the users
	// already moved.
	Forward, Reverse Readiness
	// Postgres and DynamoDB are what users saw while each store was their
	// primary.
	Postgres, DynamoDB Served
}

// Readiness is the comparison evidence of one route in one direction.
// Counts are floats because a fleet's counts come from Prometheus's
// increase(), which extrapolates.
type Readiness struct {
	// Samples are the compared requests, Failures the mismatches, shadow
	// errors and timeouts among them.
	Samples, Failures float64
	// UpperBound is the source's one-sided 95% upper bound on the failure
	// rate.
	UpperBound float64
	// Ready is the source's readiness verdict: enough samples, enough
	// coverage and a bound under its threshold.
	Ready bool
}

// Served is what the users of one primary saw on a route.
type Served struct {
	// P99 is the 99th percentile of the primary's handler time, out of
	// LatencyCount measurements.
	P99          time.Duration
	LatencyCount float64
	// Requests counts the requests measured for errors, Errors the 5xx
	// answers among them.
	Requests, Errors float64
}

// ErrorRate is Errors/Requests, 0 without requests.
func (s Served) ErrorRate() float64 {
	if s.Requests <= 0 {
		return 0
	}
	return s.Errors / s.Requests
}
