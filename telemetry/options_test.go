package telemetry_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/shadowread/shadowread/telemetry"
)

func TestOptionMisusePanics(t *testing.T) {
	tests := []struct {
		name   string
		option func() telemetry.Option
		want   string
		reason string
	}{
		{"no routes", func() telemetry.Option { return telemetry.WithMaxRoutes(0) }, "WithMaxRoutes(0)", "a limit of zero would record nothing per route"},
		{"no signatures", func() telemetry.Option { return telemetry.WithMaxSignatures(-1) }, "WithMaxSignatures(-1)", "negative limits are a mistake"},
		{"threshold as percent", func() telemetry.Option { return telemetry.WithReadyThreshold(1) }, "such as 0.001", "1 would make every route ready: a rate, not a percentage"},
		{"zero threshold", func() telemetry.Option { return telemetry.WithReadyThreshold(0) }, "between 0 and 1", "no bound is below 0"},
		{"no samples", func() telemetry.Option { return telemetry.WithMinSamples(0) }, "at least one sample", "a route without samples cannot be judged"},
		{"coverage as percent", func() telemetry.Option { return telemetry.WithMinCoverage(95) }, "such as 0.95", "a fraction, not a percentage"},
		{"zero coverage", func() telemetry.Option { return telemetry.WithMinCoverage(0) }, "WithMinCoverage(0)", "a route that compared nothing would pass"},
		{"NaN coverage", func() telemetry.Option { return telemetry.WithMinCoverage(math.NaN()) }, "above 0 and at most 1", "NaN compares false with everything"},
		{"nil logger", func() telemetry.Option { return telemetry.WithLogger(nil) }, "slog.DiscardHandler", "the message says how to turn logging off"},
		{"zero interval", func() telemetry.Option { return telemetry.WithLogInterval(0) }, "time.Minute", "an interval of zero would log every mismatch"},
		{"trace url without placeholder", func() telemetry.Option { return telemetry.WithTraceURL("http://localhost:16686/trace/") }, "{trace_id}",
			"a template without the placeholder would link every id to the same page"},
		{"tiny window", func() telemetry.Option { return telemetry.WithReadinessWindow(time.Second) }, "time.Hour", "a window shorter than its 60 buckets of a second cannot be kept"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				msg := fmt.Sprint(recover())
				if !strings.HasPrefix(msg, "telemetry: ") || !strings.Contains(msg, tt.want) {
					t.Errorf("panic %q, want one starting with \"telemetry: \" and containing %q: %s", msg, tt.want, tt.reason)
				}
			}()
			tt.option()
		})
	}
}

// TestNilOptionIgnored: a nil Option is skipped, as everywhere in the
// module, and nil providers stand for the global ones.
func TestNilOptionIgnored(t *testing.T) {
	rec := telemetry.New(nil, nil, nil, telemetry.WithMinSamples(1), nil, telemetry.WithReadyThreshold(0.99))
	rec.Record(context.Background(), event("/products/{id}", telemetry.Match))
	if got := rec.Readiness(); len(got) != 1 || !got[0].Ready {
		t.Errorf("Readiness() = %+v, want one ready route: the options around the nil ones apply", got)
	}
}
