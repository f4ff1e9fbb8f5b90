package telemetry_test

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/telemetry"
	"github.com/shadowread/shadowread/telemetry/report"
)

// TestWindowedReadiness: besides the cumulative figure, readiness over the
// sliding window forgets old failures, and the figure since a mark counts
// only what came after "I deployed a fix".
func TestWindowedReadiness(t *testing.T) {
	clock := newFakeClock()
	h := newHarness(t, telemetry.WithClock(clock.Now), telemetry.WithMinSamples(100), telemetry.WithReadyThreshold(0.05))
	const route = "/products/{id}"
	record := func(matches, mismatches int) {
		for range matches {
			h.shadow(event(route, telemetry.Match))
		}
		for range mismatches {
			h.shadow(mismatch(route, comparator.Diff{Path: "price", Kind: comparator.ValueChanged}))
		}
	}
	record(100, 20) // before the fix
	clock.Advance(10 * time.Minute)
	mark := h.rec.Mark()
	clock.Advance(time.Minute)
	record(150, 0)
	atMark := h.rec.Readiness()[0]
	clock.Advance(55 * time.Minute) // the failures are now 66 minutes old
	record(50, 0)
	later := h.rec.Readiness()[0]

	// fig reads a figure as (samples, failures, ready).
	type fig struct {
		samples, failures uint64
		ready             bool
	}
	of := func(f report.ReadinessFigure) fig { return fig{f.Samples, f.Mismatches + f.Errors, f.Ready} }
	tests := []struct {
		name   string
		got    fig
		want   fig
		reason string
	}{
		{"cumulative", fig{later.Samples, later.Mismatches + later.Errors, later.Ready}, fig{320, 20, false},
			"everything since start, failures included"},
		{"window", of(later.Window), fig{200, 0, true}, "the last hour forgets the failures of 66 minutes ago"},
		{"window at mark", of(atMark.Window), fig{270, 20, false}, "eleven minutes after the failures they are in the window"},
		{"since mark", of(*later.SinceMark), fig{200, 0, true}, "only what came after the mark"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("(samples, failures, ready) = %v, want %v: %s", tt.got, tt.want, tt.reason)
			}
		})
	}
	if !later.SinceMark.Since.Equal(mark) || !h.rec.Report().Mark.Equal(mark) {
		t.Errorf("mark %v, since-mark figure from %v: want both at the time Mark returned", mark, later.SinceMark.Since)
	}
	rec := httptest.NewRecorder()
	h.rec.ReportHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if page := rec.Body.String(); !strings.Contains(page, "last 1h") || !strings.Contains(page, "since mark") {
		t.Error("the report page does not show the windowed and since-mark figures")
	}
}

func TestNoMarkNoFigure(t *testing.T) {
	h := newHarness(t)
	h.shadow(event("/r", telemetry.Match))
	if rr := h.rec.Readiness()[0]; rr.SinceMark != nil || rr.Window.Samples != 1 {
		t.Errorf("since mark %+v, window %+v; want no since-mark figure before a mark and the event in the window", rr.SinceMark, rr.Window)
	}
}

// TestMarkHandler: POST only, and a repeat within ten seconds keeps the mark,
// so retries are idempotent and a loop cannot keep the figure at zero.
func TestMarkHandler(t *testing.T) {
	clock := newFakeClock()
	h := newHarness(t, telemetry.WithClock(clock.Now))
	handler := h.rec.MarkHandler()
	h.shadow(event("/r", telemetry.Match))
	steps := []struct {
		name       string
		method     string
		advance    time.Duration
		wantStatus int
		wantNew    bool
		reason     string
	}{
		{"get", "GET", 0, 405, false, "a GET (a crawler, a prefetch) must not reset anything"},
		{"first post", "POST", 0, 200, true, "sets the mark"},
		{"retry", "POST", 3 * time.Second, 200, false, "within ten seconds the same mark stands"},
		{"later", "POST", 10 * time.Second, 200, true, "ten seconds later a new mark is set"},
	}
	var lastMark time.Time
	for _, step := range steps {
		clock.Advance(step.advance)
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, httptest.NewRequest(step.method, "/debug/shadowread/mark", nil))
		if rec.Code != step.wantStatus {
			t.Fatalf("%s: status %d, want %d: %s", step.name, rec.Code, step.wantStatus, step.reason)
		}
		if rec.Code != 200 {
			if allow := rec.Header().Get("Allow"); allow != "POST" {
				t.Errorf("%s: Allow %q, want POST", step.name, allow)
			}
			continue
		}
		var res report.MarkResponse
		if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if res.New != step.wantNew || (!step.wantNew && !res.Mark.Equal(lastMark)) || !res.Mark.Equal(h.rec.Report().Mark) {
			t.Errorf("%s: %+v (previous mark %v), want new=%v: %s", step.name, res, lastMark, step.wantNew, step.reason)
		}
		lastMark = res.Mark
	}
}
