package demo_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/example/internal/demo"
	"github.com/shadowread/shadowread/telemetry"
	"github.com/shadowread/shadowread/telemetry/report"
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

// recordEvent sends ev for path through TagRequests, as a request would.
func recordEvent(t *testing.T, tr *demo.Tracker, path string, ev telemetry.Event) {
	t.Helper()
	h := demo.TagRequests(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		tr.Record(context.WithoutCancel(r.Context()), ev)
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, path, nil))
}

// TestJudgeRepaired: a lost update that a later write repaired is found
// only as a mismatch whose re-check says repaired.
func TestJudgeRepaired(t *testing.T) {
	mismatch := comparator.Result{Diffs: []comparator.Diff{{Path: "variants[0].price", Kind: comparator.ValueChanged}}}
	tests := []struct {
		name   string
		events []telemetry.Event
		wantOK bool
		reason string
	}{
		{"mismatch, repaired", []telemetry.Event{{Outcome: telemetry.Mismatch, Recheck: telemetry.RecheckRepaired, Result: mismatch}},
			true, "no write explains the shadow's first answer, and the re-check saw the repair"},
		{"transient", []telemetry.Event{{Outcome: telemetry.Transient, Recheck: telemetry.RecheckTransient}},
			false, "calling the loss a race hides it"},
		{"mismatch, confirmed", []telemetry.Event{{Outcome: telemetry.Mismatch, Recheck: telemetry.RecheckConfirmed, Result: mismatch}},
			false, "the later write did not reach the re-check: the scenario did not run as meant"},
		{"match", []telemetry.Event{{Outcome: telemetry.Match}}, false, "the loss was never seen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := demo.NewTracker(telemetry.Nop{})
			d := demo.Drift{What: tt.name, Repaired: true, Paths: []string{"/products/7"}}
			tr.Watch(d.Paths...)
			for _, ev := range tt.events {
				ev.Route, ev.Primary, ev.Shadow = "/products/{productID}", backends.Postgres, backends.DynamoDB
				recordEvent(t, tr, "/products/7", ev)
			}
			v := demo.Judge([]demo.Drift{d}, tr)[0]
			if v.OK != tt.wantOK {
				t.Errorf("OK = %v (%s), want %v: %s", v.OK, v.Says, tt.wantOK, tt.reason)
			}
		})
	}
}

// TestJudgeHot: the hot order list's reads may match or be transient with
// the racing write named, never mismatch.
func TestJudgeHot(t *testing.T) {
	ev := func(o telemetry.Outcome, r telemetry.Reason) telemetry.Event {
		return telemetry.Event{Route: "/customers/{customerID}/orders", Primary: backends.Postgres, Shadow: backends.DynamoDB, Outcome: o, Reason: r}
	}
	written := demo.HotStats{Placed: []int64{1, 2, 3, 4}, Reads: 4}
	tests := []struct {
		name   string
		stats  demo.HotStats
		events []telemetry.Event
		wantOK bool
		reason string
	}{
		{"matches and explained races", written, []telemetry.Event{ev(telemetry.Match, ""),
			ev(telemetry.Transient, telemetry.ReasonWriteRaced), ev(telemetry.Transient, telemetry.ReasonShadowLagged)},
			true, "every difference is explained by a write the re-check saw"},
		{"a mismatch", written, []telemetry.Event{ev(telemetry.Match, ""), ev(telemetry.Mismatch, "")},
			false, "the hot list has no drift: a mismatch is a false alarm"},
		{"a transient without a cause", written, []telemetry.Event{ev(telemetry.Transient, "")},
			false, "a transient must name the write that explains it"},
		{"not written", demo.HotStats{}, []telemetry.Event{ev(telemetry.Match, "")},
			false, "without writes the scenario did not run"},
		{"a write failed", demo.HotStats{Placed: []int64{1, 2, 3}, Failed: 1}, []telemetry.Event{ev(telemetry.Match, "")},
			false, "the service must acknowledge every write"},
		{"never compared", written, nil, false, "a verdict needs comparisons"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := demo.NewTracker(telemetry.Nop{})
			tr.Watch("/customers/9/orders")
			for _, e := range tt.events {
				recordEvent(t, tr, "/customers/9/orders", e)
			}
			v := demo.JudgeHot("/customers/9/orders", tt.stats, tr)
			if v.OK != tt.wantOK {
				t.Errorf("OK = %v (%s; %v), want %v: %s", v.OK, v.Says, v.Evidence, tt.wantOK, tt.reason)
			}
		})
	}
}

// TestTrackerCauses: transients are counted by reason per watched path and
// over every route; re-check results per watched path.
func TestTrackerCauses(t *testing.T) {
	tr := demo.NewTracker(telemetry.Nop{})
	tr.Watch("/products/7")
	base := telemetry.Event{Route: "/products/{productID}", Primary: backends.Postgres, Shadow: backends.DynamoDB}
	for _, e := range []struct {
		path    string
		outcome telemetry.Outcome
		reason  telemetry.Reason
		recheck telemetry.RecheckResult
	}{
		{"/products/7", telemetry.Transient, telemetry.ReasonWriteRaced, telemetry.RecheckTransient},
		{"/products/7", telemetry.Mismatch, "", telemetry.RecheckRepaired},
		{"/products/8", telemetry.Transient, telemetry.ReasonShadowLagged, telemetry.RecheckTransient},
	} {
		ev := base
		ev.Outcome, ev.Reason, ev.Recheck = e.outcome, e.reason, e.recheck
		recordEvent(t, tr, e.path, ev)
	}
	if got := tr.Causes("/products/7"); got[telemetry.ReasonWriteRaced] != 1 || len(got) != 1 {
		t.Errorf("Causes(/products/7) = %v, want write_raced 1: the watched path's transient only", got)
	}
	if got := tr.Causes(""); got[telemetry.ReasonWriteRaced] != 1 || got[telemetry.ReasonShadowLagged] != 1 {
		t.Errorf(`Causes("") = %v, want one of each: every route's transients`, got)
	}
	if got := tr.Rechecks("/products/7"); got[telemetry.RecheckRepaired] != 1 || got[telemetry.RecheckTransient] != 1 {
		t.Errorf("Rechecks(/products/7) = %v, want one repaired and one transient", got)
	}
}

// TestWriteCoverageAndNoise: the report shows each route's coverage and
// what was not compared, and each field's A/A and absorbed counts, with
// learned and suspicious fields marked.
func TestWriteCoverageAndNoise(t *testing.T) {
	rep := report.Report{MinSamples: 50, MinCoverage: 0.95,
		Routes: []report.RouteReport{{RouteReadiness: report.RouteReadiness{
			Route: "/customers/{customerID}/orders", Primary: backends.Postgres, Shadow: backends.DynamoDB,
			Samples: 90, Sampled: 100, Compared: 90, Coverage: 0.9,
			NotCompared: []report.NotCompared{{Outcome: telemetry.Transient, Reason: telemetry.ReasonWriteRaced, Count: 6},
				{Outcome: telemetry.Dropped, Count: 4}},
		}}},
		Noise: []report.RouteNoise{{Route: "/customers/{customerID}/orders", Baseline: 40, Compared: 100, Fields: []report.NoiseReport{
			{Field: "request_id", AADiffered: 40, AARate: 1, Absorbed: 80, AbsorbedRate: 0.8},
			{Field: "orders[].status", Absorbed: 30, AbsorbedRate: 0.3, Suspicious: true},
		}}},
	}
	var buf bytes.Buffer
	p := demo.NewPlainPrinter(&buf)
	demo.WriteRoutes(p, rep, demo.NewTracker(telemetry.Nop{}))
	demo.WriteNoise(p, rep, func(string) []string { return []string{"request_id"} })
	tests := []struct {
		want, reason string
	}{
		{" 90.0% ", "the coverage column"},
		{"not ready: 90.0% compared, under 95%", "readiness names the missing coverage"},
		{"6 transient (write_raced), 4 dropped", "what lowered the coverage, with the reasons"},
		{"request_id                   differed in 40 A/A pairs (100%), absorbed in 80 comparisons (80%)  learned", "a learned field's counts"},
		{"orders[].status              differed in 0 A/A pairs (0%), absorbed in 30 comparisons (30%)  SUSPICIOUS", "a suspicious field is marked"},
	}
	for _, tt := range tests {
		if !strings.Contains(buf.String(), tt.want) {
			t.Errorf("output lacks %q (%s):\n%s", tt.want, tt.reason, buf.String())
		}
	}
}
