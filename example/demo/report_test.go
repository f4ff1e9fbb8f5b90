package demo_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/example/demo"
	"github.com/shadowread/shadowread/telemetry"
)

// record sends one event for path through TagRequests, as a request would.
func record(t *testing.T, tr *demo.Tracker, path string, outcome telemetry.Outcome) {
	t.Helper()
	h := demo.TagRequests(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		ev := telemetry.Event{Route: "/products/{productID}", Primary: backends.Postgres, Shadow: backends.DynamoDB, Outcome: outcome}
		if outcome == telemetry.Mismatch {
			ev.Result = comparator.Result{Diffs: []comparator.Diff{{Path: "name", Kind: comparator.ValueChanged}}}
		}
		tr.Record(context.WithoutCancel(r.Context()), ev)
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, path, nil))
}

func TestJudge(t *testing.T) {
	tests := []struct {
		name     string
		benign   bool
		outcomes []telemetry.Outcome
		wantOK   bool
		reason   string
	}{
		{"real, found", false, []telemetry.Outcome{telemetry.Match, telemetry.Mismatch}, true, "one mismatch finds it"},
		{"real, missed", false, []telemetry.Outcome{telemetry.Match, telemetry.Match}, false, "only matches: the comparator hid a real change"},
		{"real, never compared", false, []telemetry.Outcome{telemetry.Dropped}, false, "a dropped shadow gives no verdict"},
		{"benign, absorbed", true, []telemetry.Outcome{telemetry.Match, telemetry.Match}, true, "matches only"},
		{"benign, shown", true, []telemetry.Outcome{telemetry.Match, telemetry.Mismatch}, false, "a representation difference must never be a mismatch"},
		{"benign, never compared", true, nil, false, "absorbing needs a comparison"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := demo.NewTracker(telemetry.Nop{})
			d := demo.Drift{What: tt.name, Benign: tt.benign, Paths: []string{"/products/7"}}
			tr.Watch(d.Paths...)
			for _, o := range tt.outcomes {
				record(t, tr, "/products/7", o)
			}
			v := demo.Judge([]demo.Drift{d}, tr)[0]
			if v.OK != tt.wantOK {
				t.Errorf("OK = %v (%s), want %v: %s", v.OK, v.Says, tt.wantOK, tt.reason)
			}
		})
	}
}

func TestTrackerUnexpected(t *testing.T) {
	tr := demo.NewTracker(telemetry.Nop{})
	tr.Watch("/products/7")
	record(t, tr, "/products/7", telemetry.Mismatch) // drift: expected
	record(t, tr, "/products/8", telemetry.Match)    // no drift, no difference
	record(t, tr, "/products/9", telemetry.Mismatch) // no drift, a difference
	n, list := tr.Unexpected()
	if n != 1 || len(list) != 1 || list[0].Path != "/products/9" || list[0].Paths[0] != "name value_changed" {
		t.Errorf("unexpected = %d, %+v; want one, on /products/9 at name", n, list)
	}
}

// TestTrackerPending: a comparison counts as pending from StartShadow to
// its Record, however late (a re-check records after its delay); events
// recorded without a start (a dropped shadow) do not count.
func TestTrackerPending(t *testing.T) {
	tr := demo.NewTracker(telemetry.Nop{})
	ev := telemetry.Event{Route: "/products/{productID}", Primary: backends.Postgres, Shadow: backends.DynamoDB}
	first := tr.StartShadow(context.Background(), ev)
	second := tr.StartShadow(context.Background(), ev)
	tests := []struct {
		name   string
		ctx    context.Context
		want   int64
		reason string
	}{
		{"dropped shadow", context.Background(), 2, "an event that never started is not one of the pending"},
		{"first recorded", context.WithoutCancel(first), 1, "the recorder gets the started context, detached"},
		{"second recorded after its re-check", second, 0, "every started comparison recorded: counts are complete"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr.Record(tt.ctx, ev)
			if got := tr.Pending(); got != tt.want {
				t.Errorf("Pending() = %d, want %d: %s", got, tt.want, tt.reason)
			}
		})
	}
}
