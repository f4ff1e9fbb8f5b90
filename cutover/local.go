package cutover

import (
	"context"
	"sync"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/telemetry"
	"github.com/shadowread/shadowread/telemetry/report"
)

// ReadinessReader is what [Local] reads comparisons from: a
// [*telemetry.OTel].
type ReadinessReader interface {
	Readiness() []report.RouteReadiness
}

// Local is the evidence of one process: readiness and latency from its
// telemetry, and the primaries' 5xx answers counted from the events it
// receives as a [telemetry.Recorder] beside the telemetry's own
// (telemetry.Multi(otel, local)). It suits tests and services of one
// replica; a fleet's evidence is in Prometheus.
//
// The forward direction is judged by its cumulative readiness (the
// telemetry's verdict, coverage included), the reverse by its sliding
// window, so that a regression of the moved users is not diluted by the
// hours before it. Latency and 5xx rates come from sampled requests.
type Local struct {
	telemetry ReadinessReader

	mu     sync.Mutex
	served map[servedKey]*Served
}

type servedKey struct {
	route   string
	primary backends.Name
}

var (
	_ Evidence           = (*Local)(nil)
	_ telemetry.Recorder = (*Local)(nil)
)

// NewLocal returns the evidence of the process whose telemetry is t.
func NewLocal(t ReadinessReader) *Local {
	if t == nil {
		panic("cutover: NewLocal needs the process's telemetry, e.g. cutover.NewLocal(otel) with otel from telemetry.New")
	}
	return &Local{telemetry: t, served: make(map[servedKey]*Served)}
}

// StartShadow returns ctx.
func (l *Local) StartShadow(ctx context.Context, _ telemetry.Event) context.Context { return ctx }

// Record counts the primary's answer of a sampled request: a 5xx, or a
// primary that failed, is an error.
func (l *Local) Record(_ context.Context, e telemetry.Event) {
	if e.NoiseBaseline || !e.Primary.Valid() {
		return
	}
	k := servedKey{e.Route, e.Primary}
	l.mu.Lock()
	defer l.mu.Unlock()
	s, ok := l.served[k]
	if !ok {
		if len(l.served) >= 2*backends.DefaultMaxRoutes {
			k.route = backends.OverflowRoute
			if s, ok = l.served[k]; !ok {
				s = &Served{}
				l.served[k] = s
			}
		} else {
			s = &Served{}
			l.served[k] = s
		}
	}
	s.Requests++
	if e.PrimaryStatus >= 500 || e.Reason == telemetry.ReasonPrimaryFailed {
		s.Errors++
	}
}

// Route returns the evidence of route.
func (l *Local) Route(_ context.Context, route string) (RouteEvidence, error) {
	var ev RouteEvidence
	for _, rr := range l.telemetry.Readiness() {
		if rr.Route != route {
			continue
		}
		latency := Served{P99: rr.PrimaryLatency.P99, LatencyCount: float64(rr.PrimaryLatency.Count)}
		switch rr.Primary {
		case backends.Postgres:
			ev.Forward = Readiness{Samples: float64(rr.Samples), Failures: float64(rr.Mismatches + rr.Errors),
				UpperBound: rr.UpperBound, Ready: rr.Ready}
			ev.Postgres = latency
		case backends.DynamoDB:
			w := rr.Window
			ev.Reverse = Readiness{Samples: float64(w.Samples), Failures: float64(w.Mismatches + w.Errors),
				UpperBound: w.UpperBound, Ready: w.Ready}
			ev.DynamoDB = latency
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for name, s := range map[backends.Name]*Served{backends.Postgres: &ev.Postgres, backends.DynamoDB: &ev.DynamoDB} {
		if c, ok := l.served[servedKey{route, name}]; ok {
			s.Requests, s.Errors = c.Requests, c.Errors
		}
	}
	return ev, nil
}
