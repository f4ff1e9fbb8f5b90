// Package prom is a cutover.Evidence source that reads the fleet's evidence
// from Prometheus: the readiness recording rules of
// example/observability/readiness.rules.yml and the raw latency and
// comparison series, through Prometheus's HTTP API.
package prom

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/cutover"
)

// DefaultWindow is the range of the latency and 5xx queries.
const DefaultWindow = time.Hour

// Source reads the evidence of a route from Prometheus:
//
//   - the forward direction (PostgreSQL primary) from the conservative 24 h
//     rules (samples observed, failures covered: a counting error can only
//     hold a route back), route_direction:shadowread_ready:24h among them,
//     the fleet's verdict;
//   - the reverse direction (DynamoDB primary) from the conservative 1 h
//     rules, so a regression of the moved users shows within the hour;
//   - each primary's p99 from shadowread_duration_seconds (role primary) and
//     its 5xx rate from the sampled requests skipped with reason
//     primary_failed, both over the window.
type Source struct {
	api    v1.API
	window time.Duration
}

var _ cutover.Evidence = (*Source)(nil)

// Option configures [New].
type Option func(*Source)

// WithWindow sets the range of the latency and 5xx queries; the default is
// [DefaultWindow].
func WithWindow(d time.Duration) Option {
	if d < time.Second {
		panic("prom: WithWindow needs at least a second, e.g. prom.WithWindow(time.Hour)")
	}
	return func(s *Source) { s.window = d }
}

// New returns the source that queries Prometheus through client, e.g.
// api.NewClient(api.Config{Address: "http://prometheus:9090"}).
func New(client api.Client, opts ...Option) *Source {
	if client == nil {
		panic("prom: New needs a client, e.g. api.NewClient(api.Config{Address: \"http://prometheus:9090\"})")
	}
	s := &Source{api: v1.NewAPI(client), window: DefaultWindow}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Route returns the evidence of route.
func (s *Source) Route(ctx context.Context, route string) (cutover.RouteEvidence, error) {
	sel := "route=" + strconv.Quote(route)
	w := model.Duration(s.window).String()
	var ev cutover.RouteEvidence
	queries := []struct {
		query string
		set   func(primary backends.Name, v float64)
	}{
		{"route_direction:shadowread_samples:observed24h{" + sel + `,primary="postgres"}`, func(_ backends.Name, v float64) { ev.Forward.Samples = v }},
		{"route_direction:shadowread_failures:covered24h{" + sel + `,primary="postgres"}`, func(_ backends.Name, v float64) { ev.Forward.Failures = v }},
		{"route_direction:shadowread_failure_upper_bound:conservative24h{" + sel + `,primary="postgres"}`, func(_ backends.Name, v float64) { ev.Forward.UpperBound = v }},
		{"route_direction:shadowread_ready:24h{" + sel + `,primary="postgres"}`, func(_ backends.Name, v float64) { ev.Forward.Ready = v == 1 }},
		{"route_direction:shadowread_samples:observed1h{" + sel + `,primary="dynamodb"}`, func(_ backends.Name, v float64) { ev.Reverse.Samples = v }},
		{"route_direction:shadowread_failures:covered1h{" + sel + `,primary="dynamodb"}`, func(_ backends.Name, v float64) { ev.Reverse.Failures = v }},
		{"route_direction:shadowread_failure_upper_bound:conservative1h{" + sel + `,primary="dynamodb"}`, func(_ backends.Name, v float64) { ev.Reverse.UpperBound = v }},
		{"histogram_quantile(0.99, sum by (le, primary) (rate(shadowread_duration_seconds_bucket{" + sel + `,role="primary"}[` + w + "])))",
			func(p backends.Name, v float64) { served(&ev, p).P99 = time.Duration(v * float64(time.Second)) }},
		{"sum by (primary) (increase(shadowread_duration_seconds_count{" + sel + `,role="primary"}[` + w + "]))",
			func(p backends.Name, v float64) { served(&ev, p).LatencyCount = v }},
		{"sum by (primary) (increase(shadowread_comparisons_total{" + sel + "}[" + w + "]))",
			func(p backends.Name, v float64) { served(&ev, p).Requests = v }},
		{"sum by (primary) (increase(shadowread_comparisons_total{" + sel + `,outcome="skipped",reason="primary_failed"}[` + w + "]))",
			func(p backends.Name, v float64) { served(&ev, p).Errors = v }},
	}
	// A reverse direction without samples yet has no bound: the gate waits.
	ev.Reverse.UpperBound = 1
	ev.Forward.UpperBound = 1
	now := time.Now()
	for _, q := range queries {
		value, _, _, err := s.api.Query(ctx, q.query, now)
		if err != nil {
			return cutover.RouteEvidence{}, fmt.Errorf("prom: %s: %w", q.query, err)
		}
		vec, ok := value.(model.Vector)
		if !ok {
			return cutover.RouteEvidence{}, fmt.Errorf("prom: %s: a %s, want a vector", q.query, value.Type())
		}
		for _, sample := range vec {
			v := float64(sample.Value)
			if v != v { // NaN: a quantile or bound without data
				continue
			}
			name, _ := backends.ParseName(string(sample.Metric["primary"]))
			q.set(name, v)
		}
	}
	return ev, nil
}

// served returns where the figures of primary go; figures of an unknown
// primary go nowhere.
func served(ev *cutover.RouteEvidence, primary backends.Name) *cutover.Served {
	switch primary {
	case backends.Postgres:
		return &ev.Postgres
	case backends.DynamoDB:
		return &ev.DynamoDB
	}
	return &cutover.Served{}
}
