package telemetry_test

import (
	"context"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/trace"

	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/telemetry"
)

// TestEntityKey: the entity key goes on the shadow span and the mismatch log
// line, as a short stable hash unless shown keys were opted in, and never
// into metric attributes.
func TestEntityKey(t *testing.T) {
	const key = "product-4711"
	tests := []struct {
		name   string
		opts   []telemetry.Option
		shown  bool
		reason string
	}{
		{"redacted", nil, false, "a key is an identifier of a customer's data: hashed by default"},
		{"shown", []telemetry.Option{telemetry.WithEntityKeysShown()}, true, "opted in, the key itself helps find the row"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs logBuffer
			h := newHarness(t, append([]telemetry.Option{telemetry.WithLogger(logs.logger())}, tt.opts...)...)
			var got [2]string // span, log
			for i := range 2 {
				e := mismatch("/products/{id}", comparator.Diff{Path: "price", Kind: comparator.ValueChanged})
				e.EntityKey = key
				ctx := h.rec.StartShadow(context.Background(), e)
				h.rec.Record(ctx, e)
				span := endedSpan(t, h, trace.SpanFromContext(ctx).SpanContext())
				v := attrs(span.Attributes())["shadowread.entity.key"].AsString()
				if i > 0 && v != got[0] {
					t.Errorf("span key %q, then %q: want a stable form", got[0], v)
				}
				got[0] = v
			}
			lines := logs.lines(t)
			if len(lines) != 1 {
				t.Fatalf("%d log lines, want 1", len(lines))
			}
			got[1], _ = lines[0]["entity_key"].(string)
			for i, where := range []string{"span", "log line"} {
				if tt.shown && got[i] != key {
					t.Errorf("%s key %q, want %q: %s", where, got[i], key, tt.reason)
				}
				if !tt.shown && (got[i] == "" || strings.Contains(got[i], key) || got[i] != got[0]) {
					t.Errorf("%s key %q, want the same short hash everywhere, never the key: %s", where, got[i], tt.reason)
				}
			}
			if text := metricsText(t, h); strings.Contains(text, key) || strings.Contains(text, got[0]) {
				t.Error("the entity key is in metric attributes or exemplars")
			}
		})
	}
}
