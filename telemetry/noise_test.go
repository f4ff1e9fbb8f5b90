package telemetry_test

import (
	"context"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"

	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/telemetry"
	"github.com/shadowread/shadowread/telemetry/report"
)

// baseline returns an A/A event: the primary compared with a second read of
// itself, differing on the given fields.
func baseline(route string, fields ...string) telemetry.Event {
	e := event(route, telemetry.Mismatch)
	e.Shadow = e.Primary
	e.NoiseBaseline = true
	for _, f := range fields {
		e.Result.Diffs = append(e.Result.Diffs, comparator.Diff{Path: f, Field: f, Kind: comparator.ValueChanged})
	}
	return e
}

// TestNoiseBaseline: A/A events never count towards readiness or the
// comparison series; the recorder counts per field the A/A pairs in which it
// differed and the comparisons that absorbed it, and learns nothing itself.
func TestNoiseBaseline(t *testing.T) {
	clock := newFakeClock()
	h := newHarness(t, telemetry.WithClock(clock.Now))
	const route = "/products/{id}"
	for range 8 {
		h.shadow(baseline(route, "request_id", "generated_at"))
	}
	h.shadow(baseline(route, "request_id"))
	h.shadow(event(route, telemetry.Match))
	absorbed := event(route, telemetry.Match)
	absorbed.Noise = []string{"request_id", "request_id"} // a field counts once per event
	h.shadow(absorbed)

	rr := h.rec.Readiness()
	if len(rr) != 1 || rr[0].Samples != 2 || rr[0].Sampled != 2 || rr[0].Mismatches != 0 {
		t.Fatalf("Readiness() = %+v, want one direction with the 2 matches only: A/A events are not samples", rr)
	}
	m := h.metrics(t)
	if got, _ := sumPoint(t, m["shadowread.comparisons"], at(route, attribute.String("outcome", "mismatch"))...); got != 0 {
		t.Errorf("comparisons mismatch = %d, want 0: A/A differences are not mismatches", got)
	}
	for _, tt := range []struct {
		source string
		want   int64
		reason string
	}{
		{"baseline", 17, "each A/A event counts its distinct fields: 8x2 + 1"},
		{"absorbed", 2, "the fields a comparison absorbed, as the event lists them"},
	} {
		got, _ := sumPoint(t, m["shadowread.noise"], attribute.String("route", route), attribute.String("source", tt.source))
		if got != tt.want {
			t.Errorf("shadowread.noise source=%s = %d, want %d: %s", tt.source, got, tt.want, tt.reason)
		}
	}

	noise := h.rec.Report().Noise
	if len(noise) != 1 || noise[0].Route != route || noise[0].Baseline != 9 || noise[0].Compared != 2 || len(noise[0].Fields) != 2 {
		t.Fatalf("noise = %+v, want one route with 9 A/A pairs, 2 comparisons and 2 fields", noise)
	}
	want := []report.NoiseReport{
		{Field: "request_id", AADiffered: 9, AARate: 1, Absorbed: 1, AbsorbedRate: 0.5, LastSeen: clock.Now()},
		{Field: "generated_at", AADiffered: 8, AARate: 8.0 / 9, LastSeen: clock.Now()},
	}
	if got := noise[0].Fields; !slices.Equal(got, want) {
		t.Errorf("noise fields = %+v, want %+v", got, want)
	}

	for _, s := range h.spans.Ended() {
		a := attrs(s.Attributes())
		if a["shadowread.noise_baseline"].AsBool() && (a["shadowread.outcome"].Type() != attribute.INVALID || s.Status().Code == codes.Error) {
			t.Errorf("A/A span has outcome %q and status %v: a search or tail sampler for mismatches would pick it", a["shadowread.outcome"].Emit(), s.Status())
		}
	}

	rec := httptest.NewRecorder()
	h.rec.ReportHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	page := rec.Body.String()
	for _, want := range []string{"Noise", "generated_at", "8 (88.8%)", "1 (50%)", "Absorbed</b> are only fields proven nondeterministic"} {
		if !strings.Contains(page, want) {
			t.Errorf("the report page lacks %q", want)
		}
	}
}

// TestNoiseSuspicious: a field absorbed between the stores far more often
// than it differs between two primary reads is flagged: AbsorbedRate > 2 ×
// AARate + 0.05, once the route has 20 comparisons.
func TestNoiseSuspicious(t *testing.T) {
	tests := []struct {
		name            string
		pairs, differed int // A/A pairs, and those in which the field differed
		compared        int // comparisons with the shadow
		absorbed        int // those that absorbed the field
		want            bool
		reason          string
	}{
		{"noise", 100, 100, 100, 100, false, "a request id differs in every A/A pair and every comparison"},
		{"rare noise", 100, 10, 100, 20, false, "20% absorbed is below 2 × 10% + 5%"},
		{"absorbs real data", 100, 10, 100, 26, true, "26% absorbed is above 2 × 10% + 5%"},
		{"never differs between primary reads", 100, 0, 100, 6, true, "6% absorbed against 0% A/A: above 5%"},
		{"too few comparisons", 100, 0, 19, 19, false, "19 comparisons are too few to judge"},
		{"just enough comparisons", 100, 0, 20, 2, true, "at 20 comparisons, 10% absorbed against 0% A/A"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			const route = "/orders/{id}"
			for i := range tt.pairs {
				if i < tt.differed {
					h.shadow(baseline(route, "total"))
				} else {
					h.shadow(baseline(route))
				}
			}
			for i := range tt.compared {
				e := event(route, telemetry.Match)
				if i < tt.absorbed {
					e.Noise = []string{"total"}
				}
				h.shadow(e)
			}
			h.rec.Record(context.Background(), event(route, telemetry.Dropped)) // not a comparison
			n := h.rec.Report().Noise[0]
			if n.Compared != uint64(tt.compared) || n.Baseline != uint64(tt.pairs) {
				t.Fatalf("compared %d, A/A pairs %d; want %d, %d", n.Compared, n.Baseline, tt.compared, tt.pairs)
			}
			i := slices.IndexFunc(n.Fields, func(f report.NoiseReport) bool { return f.Field == "total" })
			if i < 0 {
				t.Fatalf("fields %+v lack total", n.Fields)
			}
			if f := n.Fields[i]; f.Suspicious != tt.want || f.AADiffered != uint64(tt.differed) || f.Absorbed != uint64(tt.absorbed) {
				t.Errorf("%+v, want suspicious %v: %s", f, tt.want, tt.reason)
			}
		})
	}
}

// TestNoiseSuspiciousOnPage: the report page shows the flag beside the
// field's counts.
func TestNoiseSuspiciousOnPage(t *testing.T) {
	h := newHarness(t)
	h.shadow(baseline("/orders/{id}", "request_id"))
	for range 20 {
		e := event("/orders/{id}", telemetry.Match)
		e.Noise = []string{"status"}
		h.shadow(e)
	}
	rec := httptest.NewRecorder()
	h.rec.ReportHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if page := rec.Body.String(); !strings.Contains(page, "suspicious: absorbed far more often") || !strings.Contains(page, "20 (100%)") {
		t.Error("the report page does not flag a field absorbed in every comparison that never differed between primary reads")
	}
}

// TestNoiseBounded: a stream of ever new fields keeps at most 32 per route,
// the most counted, and counts the evicted.
func TestNoiseBounded(t *testing.T) {
	h := newHarness(t)
	for range 5 {
		h.shadow(baseline("/r", "steady"))
	}
	for i := range 1000 {
		h.shadow(baseline("/r", "f"+strings.Repeat("x", i%50)+string(rune('a'+i%26))))
	}
	n := h.rec.Report().Noise[0]
	if len(n.Fields) > 32 || n.Fields[0].Field != "steady" || n.EvictedFields == 0 {
		t.Errorf("%d fields, first %q, %d evicted; want at most 32 with the steady one first, and evictions counted", len(n.Fields), n.Fields[0].Field, n.EvictedFields)
	}
}

// TestTransientsAndRechecks: transient outcomes are counted and shown by
// reason, neither samples nor failures, and every re-check counts by result
// per route and direction.
func TestTransientsAndRechecks(t *testing.T) {
	h := newHarness(t)
	const route = "/orders/{id}"
	results := []telemetry.RecheckResult{telemetry.RecheckTransient, telemetry.RecheckTransient, telemetry.RecheckConfirmed,
		telemetry.RecheckRepaired, telemetry.RecheckDropped, telemetry.RecheckFailed, telemetry.RecheckNone}
	for _, res := range results {
		e := mismatch(route, comparator.Diff{Path: "stock", Kind: comparator.ValueChanged})
		e.Recheck = res
		if res == telemetry.RecheckTransient {
			e.Outcome, e.Reason = telemetry.Transient, telemetry.ReasonWriteRaced
		}
		h.shadow(e)
	}
	rr := h.rec.Report().Routes[0]
	if rr.Transients != 2 || rr.Mismatches != 5 || rr.Samples != 5 || rr.Sampled != 7 {
		t.Errorf("transients %d mismatches %d samples %d sampled %d, want 2, 5, 5, 7: transients are not samples, a repaired difference is a mismatch",
			rr.Transients, rr.Mismatches, rr.Samples, rr.Sampled)
	}
	m := h.metrics(t)["shadowread.rechecks"]
	for _, tt := range []struct {
		result string
		want   int64
		reason string
	}{
		{"transient", 2, "a re-check that matched"},
		{"confirmed", 1, "a re-check that still differed"},
		{"repaired", 1, "a re-check that matched, with no write to explain the first difference"},
		{"dropped", 1, "no slot for the re-check"},
		{"failed", 1, "the re-check could not compare"},
	} {
		if got, _ := sumPoint(t, m, at(route, attribute.String("result", tt.result))...); got != tt.want {
			t.Errorf("rechecks result=%s = %d, want %d: %s", tt.result, got, tt.want, tt.reason)
		}
		i := slices.IndexFunc(rr.Rechecks, func(c report.RecheckCount) bool { return string(c.Result) == tt.result })
		if i < 0 || rr.Rechecks[i].Count != uint64(tt.want) {
			t.Errorf("report rechecks %v, want %s %d", rr.Rechecks, tt.result, tt.want)
		}
	}
	rec := httptest.NewRecorder()
	h.rec.ReportHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if page := rec.Body.String(); !strings.Contains(page, "2 transient (write_raced)") || !strings.Contains(page, "confirmed 1 · repaired 1") {
		t.Error("the report page does not show transients and re-checks")
	}
}

// TestTriage: each signature says whether it looks like a representation
// difference (with the option that would absorb it) or data loss, in
// Readiness() and on the report.
func TestTriage(t *testing.T) {
	h := newHarness(t)
	const route = "/orders/{id}"
	repr := comparator.Diff{Path: "items[0].price", Field: "items[].price", Kind: comparator.ValueChanged,
		Hint: comparator.Hint{Triage: comparator.TriageRepresentation, Option: "FloatTolerance(0, 1e-9)", Note: "12.50 vs 12.5"}}
	loss := comparator.Diff{Path: "items[1].price", Field: "items[].price", Kind: comparator.ValueChanged,
		Hint: comparator.Hint{Triage: comparator.TriageDataLoss, Note: "rounded to float32"}}
	plain := comparator.Diff{Path: "status", Kind: comparator.ValueChanged}
	cases := []struct {
		name    string
		diffs   []comparator.Diff
		want    comparator.Triage
		options []string
		reason  string
	}{
		{"representation", []comparator.Diff{repr}, comparator.TriageRepresentation, []string{"FloatTolerance(0, 1e-9)"},
			"every difference says the same thing in another form"},
		{"data loss wins", []comparator.Diff{repr, loss, {Path: "x", Kind: comparator.MissingInShadow}}, comparator.TriageDataLoss, nil,
			"one lost value is enough: no option should hide it"},
		{"unclear", []comparator.Diff{repr, plain}, comparator.TriageNone, nil,
			"a difference without a hint needs a person"},
	}
	for n, c := range cases {
		for range 3 - n { // distinct counts give a stable order
			h.shadow(mismatch(route, c.diffs...))
		}
	}
	triage := h.rec.Readiness()[0].Triage
	if len(triage) != len(cases) {
		t.Fatalf("triage = %+v, want %d signatures", triage, len(cases))
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := triage[i]
			if got.Triage != c.want || !slices.Equal(got.Options, c.options) || got.Signature != (comparator.Result{Diffs: c.diffs}).Signature() {
				t.Errorf("got %+v, want triage %q options %v: %s", got, c.want, c.options, c.reason)
			}
		})
	}
	if f := triage[0].Fields; !slices.Equal(f, []string{"items[].price"}) {
		t.Errorf("fields = %v, want the index-free field", f)
	}
	rec := httptest.NewRecorder()
	h.rec.ReportHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	page := rec.Body.String()
	for _, want := range []string{"representation", "data loss", "absorbed by FloatTolerance(0, 1e-9)", "items[].price"} {
		if !strings.Contains(page, want) {
			t.Errorf("the report page lacks %q", want)
		}
	}
	// The signatures are grouped by triage: what loses data first, then what
	// a person has to look at, then differences of form, whatever the counts.
	var at []int
	for _, group := range []string{"data loss</span> 1 signature · 2 mismatches", "unknown</span> 1 signature · 1 mismatch",
		"representation</span> 1 signature · 3 mismatches"} {
		at = append(at, strings.Index(page, group))
	}
	if at[0] < 0 || !slices.IsSorted(at) {
		t.Errorf("triage groups at %v in the page, want data loss, unknown, representation in that order", at)
	}
}
