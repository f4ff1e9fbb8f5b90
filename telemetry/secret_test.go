package telemetry_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/telemetry"
)

// TestDiffValuesStayPrivate puts a secret into a Diff's values, as a
// comparator told to show values would, and looks for it in every output:
// metrics, spans with their events, log lines and the report in both forms.
func TestDiffValuesStayPrivate(t *testing.T) {
	const secret = "tok_live_5ecr3t"
	tests := []struct {
		name        string
		opts        []telemetry.Option
		valuesShown bool // the comparator was built with comparator.ShowValues
		wantShown   map[string]bool
		reason      string
	}{
		{"default", nil, false, map[string]bool{"metrics": false, "spans": false, "logs": false, "report": false},
			"values never leave the process unless opted in"},
		{"opted in", []telemetry.Option{telemetry.WithDiffValues()}, false, map[string]bool{"metrics": false, "spans": true, "logs": true, "report": true},
			"with WithDiffValues they go to span events, logs and the report, never to metric attributes"},
		{"comparator.ShowValues alone", nil, true, map[string]bool{"metrics": false, "spans": true, "logs": true, "report": true},
			"the one development option: a comparator that shows values shows them in telemetry too, never in metric attributes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs logBuffer
			h := newHarness(t, append([]telemetry.Option{telemetry.WithLogger(logs.logger())}, tt.opts...)...)
			e := mismatch("/accounts/{id}", comparator.Diff{
				Path: "api_key", Kind: comparator.ValueChanged, Primary: secret, Shadow: `"` + secret + `-old"`,
			})
			e.Result.ValuesShown = tt.valuesShown
			e.RequestSpan = h.requestSpan()
			ctx := h.rec.StartShadow(context.Background(), e)
			h.rec.Record(ctx, e)

			outputs := map[string]string{
				"metrics": metricsText(t, h),
				"spans":   spansText(h),
				"logs":    logs.String(),
				"report":  reportText(h),
			}
			for name, text := range outputs {
				if text == "" {
					t.Fatalf("%s: empty output, the check would prove nothing", name)
				}
				if shown := strings.Contains(text, secret); shown != tt.wantShown[name] {
					t.Errorf("%s: secret shown = %v, want %v: %s", name, shown, tt.wantShown[name], tt.reason)
				}
			}
		})
	}
}

// metricsText renders every metric with its attributes and exemplars.
func metricsText(t *testing.T, h *harness) string {
	var b strings.Builder
	for name, m := range h.metrics(t) {
		b.WriteString(name)
		switch d := m.Data.(type) {
		case metricdata.Sum[int64]:
			for _, dp := range d.DataPoints {
				fmt.Fprintf(&b, " %s %v", dp.Attributes.Encoded(attribute.DefaultEncoder()), dp.Exemplars)
			}
		case metricdata.Histogram[float64]:
			for _, dp := range d.DataPoints {
				fmt.Fprintf(&b, " %s %v", dp.Attributes.Encoded(attribute.DefaultEncoder()), dp.Exemplars)
			}
		default:
			fmt.Fprintf(&b, " %+v", m.Data)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// spansText renders every ended span: name, attributes, events, links, status.
func spansText(h *harness) string {
	var b strings.Builder
	for _, s := range h.spans.Ended() {
		fmt.Fprintf(&b, "%s %v %v %+v\n", s.Name(), s.Attributes(), s.Status(), s.Links())
		for _, ev := range s.Events() {
			fmt.Fprintf(&b, "  %s %v\n", ev.Name, ev.Attributes)
		}
	}
	return b.String()
}

// reportText renders the report page as HTML and as JSON.
func reportText(h *harness) string {
	var b strings.Builder
	for _, target := range []string{"/", "/?format=json"} {
		rec := httptest.NewRecorder()
		h.rec.ReportHandler().ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
		b.Write(rec.Body.Bytes())
	}
	return b.String()
}
