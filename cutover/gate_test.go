package cutover

import (
	"context"
	"testing"
	"time"
)

func TestGates(t *testing.T) {
	tests := []struct {
		name   string
		gate   Gate
		change func(*RouteEvidence)
		want   Verdict
		reason string
	}{
		{"forward ready", ForwardReady(), func(*RouteEvidence) {}, Pass, "the source's verdict"},
		{"forward not ready", ForwardReady(), func(e *RouteEvidence) { e.Forward.Ready = false }, Wait,
			"not ready is no failure: the route just does not start"},
		{"reverse clean", ReverseUnder(0.001), func(*RouteEvidence) {}, Pass, "bound under the limit"},
		{"reverse clean but small", ReverseUnder(0.001), func(e *RouteEvidence) { e.Reverse = Readiness{Samples: 100, UpperBound: 0.03} }, Wait,
			"100 clean samples prove nothing either way"},
		{"reverse one failure in 100", ReverseUnder(0.001), func(e *RouteEvidence) { e.Reverse = Readiness{Samples: 100, Failures: 1, UpperBound: 0.047} }, Fail,
			"1% observed is above 0.1% with 95% confidence"},
		{"reverse one failure in 5000", ReverseUnder(0.001), func(e *RouteEvidence) { e.Reverse = Readiness{Samples: 5000, Failures: 1, UpperBound: 0.00095} }, Pass,
			"0.02% observed and a bound under 0.1%"},
		{"reverse without samples", ReverseUnder(0.001), func(e *RouteEvidence) { e.Reverse = Readiness{} }, Wait,
			"no moved user has been compared yet"},
		{"latency within", LatencyWithin(1.5, 100), func(*RouteEvidence) {}, Pass, "12 ms against 10 ms"},
		{"latency above", LatencyWithin(1.5, 100), func(e *RouteEvidence) { e.DynamoDB.P99 = 16 * time.Millisecond }, Fail, "16 ms is over 1.5 × 10 ms"},
		{"latency few measurements", LatencyWithin(1.5, 100), func(e *RouteEvidence) { e.DynamoDB.LatencyCount = 10 }, Wait,
			"a p99 of 10 measurements is their maximum"},
		{"errors within", ErrorsWithin(0.01, 100), func(*RouteEvidence) {}, Pass, "0.2% against 0.1%"},
		{"errors above", ErrorsWithin(0.01, 100), func(e *RouteEvidence) { e.DynamoDB.Errors = 20 }, Fail, "2% is more than a point above 0.1%"},
		{"errors few requests", ErrorsWithin(0.01, 100), func(e *RouteEvidence) { e.DynamoDB.Requests = 50 }, Wait, "too few requests to judge"},
		{"panicking gate", GateFunc("broken", func(context.Context, string, RouteEvidence) (Verdict, string) { panic("boom") }),
			func(*RouteEvidence) {}, Fail, "a gate that cannot judge must not let the route advance"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := healthy()
			tt.change(&ev)
			got := check(context.Background(), tt.gate, route, ev)
			if got.Verdict != tt.want || got.Reason == "" || got.Gate != tt.gate.Name() {
				t.Errorf("%s: %v (%q), want %v with a reason (%s)", got.Gate, got.Verdict, got.Reason, tt.want, tt.reason)
			}
		})
	}
}
