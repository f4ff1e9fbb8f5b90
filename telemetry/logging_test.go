package telemetry_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/telemetry"
)

func TestMismatchLogRateLimit(t *testing.T) {
	clock := newFakeClock()
	var logs logBuffer
	h := newHarness(t, telemetry.WithLogger(logs.logger()), telemetry.WithClock(clock.Now),
		telemetry.WithLogInterval(time.Minute), telemetry.WithMaxSignatures(3))
	price := mismatch("/products/{id}", comparator.Diff{Path: "price", Kind: comparator.ValueChanged})
	name := mismatch("/products/{id}", comparator.Diff{Path: "name", Kind: comparator.ValueChanged})
	other := func(i int) telemetry.Event {
		return mismatch("/products/{id}", comparator.Diff{Path: fmt.Sprintf("k%d", i), Kind: comparator.ExtraInShadow})
	}

	steps := []struct {
		name      string
		advance   time.Duration
		events    []telemetry.Event
		wantLines int
		reason    string
	}{
		{"first occurrence", 0, []telemetry.Event{price}, 1, "a new signature is logged at once"},
		{"repeat within interval", 30 * time.Second, []telemetry.Event{price, price}, 0, "one line per signature per interval"},
		{"other signature", 0, []telemetry.Event{name}, 1, "signatures are limited separately"},
		{"after the interval", 30 * time.Second, []telemetry.Event{price}, 1, "a minute after its last line the signature logs again"},
		{"flood of new signatures", 0, []telemetry.Event{other(1), other(2), other(3), other(4)}, 2,
			"per route at most as many lines per interval as signatures are kept (3): the window that began with price's line has room for two"},
		{"next interval", time.Minute, []telemetry.Event{other(5), other(6)}, 2, "the route's budget renews with the interval"},
	}
	seen := 0
	for _, step := range steps {
		clock.Advance(step.advance)
		for _, e := range step.events {
			h.shadow(e)
		}
		lines := logs.lines(t)
		if got := len(lines) - seen; got != step.wantLines {
			t.Errorf("%s: %d new lines, want %d: %s", step.name, got, step.wantLines, step.reason)
		}
		seen = len(lines)
	}

	lines := logs.lines(t)
	if len(lines) < 3 {
		t.Fatalf("only %d lines", len(lines))
	}
	third := lines[2] // price, again after the interval
	want := map[string]any{
		"level":       "WARN",
		"msg":         "shadowread: mismatch",
		"route":       "/products/{id}",
		"signature":   price.Result.Signature(),
		"occurrences": 3.0, // the two suppressed repeats and this one
		"primary":     "postgres",
		"shadow":      "dynamodb",
		"kinds":       []any{"value_changed"},
		"paths":       []any{"price"},
		"truncated":   false,
	}
	for k, v := range want {
		if fmt.Sprint(third[k]) != fmt.Sprint(v) {
			t.Errorf("line field %s = %v, want %v", k, third[k], v)
		}
	}
	if _, ok := third["diffs"]; ok {
		t.Error("values logged without WithDiffValues")
	}
}
