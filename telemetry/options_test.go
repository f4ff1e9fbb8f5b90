package telemetry_test

import (
	"fmt"
	"strings"
	"testing"

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
		{"nil logger", func() telemetry.Option { return telemetry.WithLogger(nil) }, "slog.DiscardHandler", "the message says how to turn logging off"},
		{"zero interval", func() telemetry.Option { return telemetry.WithLogInterval(0) }, "time.Minute", "an interval of zero would log every mismatch"},
		{"nil option", func() telemetry.Option { telemetry.New(nil, nil, nil); return nil }, "nil Option", "a nil option is caught at New"},
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
