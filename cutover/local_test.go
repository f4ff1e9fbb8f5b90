package cutover

import (
	"context"
	"testing"
	"time"

	metricnoop "go.opentelemetry.io/otel/metric/noop"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/telemetry"
)

// TestLocalReadsTheProcessTelemetry: the in-process source puts each
// direction's readiness and latency, and each primary's 5xx answers, where
// the gates look for them.
func TestLocalReadsTheProcessTelemetry(t *testing.T) {
	otel := telemetry.New(tracenoop.NewTracerProvider(), metricnoop.NewMeterProvider(),
		telemetry.WithMinSamples(100), telemetry.WithLogger(quiet))
	local := NewLocal(otel)
	rec := telemetry.Multi(otel, local)
	ctx := context.Background()
	record := func(primary backends.Name, outcome telemetry.Outcome, status int, n int) {
		for range n {
			e := telemetry.Event{Route: route, Method: "GET", Primary: primary, Shadow: primary.Other(),
				Outcome: outcome, Start: time.Now(), PrimaryDuration: 3 * time.Millisecond, PrimaryStatus: status}
			if outcome == telemetry.Skipped {
				e.Reason = telemetry.ReasonPrimaryFailed
			}
			rec.Record(rec.StartShadow(ctx, e), e)
		}
	}
	record(backends.Postgres, telemetry.Match, 200, 3000)
	record(backends.Postgres, telemetry.Skipped, 503, 3)
	record(backends.DynamoDB, telemetry.Match, 200, 200)
	record(backends.DynamoDB, telemetry.Mismatch, 200, 2)
	record(backends.DynamoDB, telemetry.Skipped, 500, 10)

	ev, err := local.Route(ctx, route)
	if err != nil {
		t.Fatal(err)
	}
	if !ev.Forward.Ready || ev.Forward.Samples != 3000 || ev.Forward.Failures != 0 {
		t.Errorf("forward %+v, want ready over 3000 clean samples", ev.Forward)
	}
	if ev.Reverse.Samples != 202 || ev.Reverse.Failures != 2 {
		t.Errorf("reverse %+v, want 2 failures in 202 samples", ev.Reverse)
	}
	if ev.Postgres.Requests != 3003 || ev.Postgres.Errors != 3 || ev.DynamoDB.Requests != 212 || ev.DynamoDB.Errors != 10 {
		t.Errorf("served postgres %+v, dynamodb %+v; want 3 of 3003 and 10 of 212 failed", ev.Postgres, ev.DynamoDB)
	}
	if ev.Postgres.LatencyCount == 0 || ev.DynamoDB.P99 == 0 {
		t.Errorf("latency postgres %+v, dynamodb %+v; want both measured", ev.Postgres, ev.DynamoDB)
	}
	if r := check(ctx, ReverseUnder(DefaultReverseBound), route, ev); r.Verdict != Fail {
		t.Errorf("reverse gate on 2 failures in 202: %v (%s), want fail", r.Verdict, r.Reason)
	}
	if r := check(ctx, ErrorsWithin(DefaultErrorMargin, DefaultMinCount), route, ev); r.Verdict != Fail {
		t.Errorf("errors gate on 4.7%% against 0.1%%: %v (%s), want fail", r.Verdict, r.Reason)
	}
}

func TestLocalWithoutEvents(t *testing.T) {
	local := NewLocal(telemetry.New(tracenoop.NewTracerProvider(), metricnoop.NewMeterProvider(), telemetry.WithLogger(quiet)))
	ev, err := local.Route(context.Background(), route)
	if err != nil || ev != (RouteEvidence{}) {
		t.Errorf("evidence %+v, %v of a route without events, want none and no error: the gates wait", ev, err)
	}
}
