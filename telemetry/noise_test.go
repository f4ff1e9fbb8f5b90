package telemetry_test

import (
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"

	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/telemetry"
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
// comparison series; they feed the route's learned-noise view, which decays.
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
	absorbed.Noise = []string{"request_id"}
	h.shadow(absorbed)

	rr := h.rec.Readiness()
	if len(rr) != 1 || rr[0].Samples != 2 || rr[0].Mismatches != 0 {
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
		{"absorbed", 1, "a match that absorbed a noise field"},
	} {
		got, _ := sumPoint(t, m["shadowread.noise"], attribute.String("route", route), attribute.String("source", tt.source))
		if got != tt.want {
			t.Errorf("shadowread.noise source=%s = %d, want %d: %s", tt.source, got, tt.want, tt.reason)
		}
	}

	noise := h.rec.Report().Noise
	if len(noise) != 1 || noise[0].Route != route || noise[0].Baseline != 9 || len(noise[0].Fields) != 2 {
		t.Fatalf("noise = %+v, want one route with 9 A/A reads and 2 fields", noise)
	}
	top := noise[0].Fields[0]
	if top.Field != "request_id" || top.Weight != 9 || top.Absorbed != 1 {
		t.Errorf("top noise field = %+v, want request_id weight 9 absorbed 1", top)
	}

	// A field that stops differing fades: its weight halves every window (1 h).
	clock.Advance(2 * time.Hour)
	h.shadow(baseline(route, "request_id"))
	fields := h.rec.Report().Noise[0].Fields
	weights := map[string]float64{}
	for _, f := range fields {
		weights[f.Field] = f.Weight
	}
	if weights["generated_at"] != 2 || weights["request_id"] != 9.0/4+1 {
		t.Errorf("weights after two hours = %v, want generated_at 8/4 = 2 and request_id 9/4+1", weights)
	}

	for _, s := range h.spans.Ended() {
		a := attrs(s.Attributes())
		if a["shadowread.noise_baseline"].AsBool() && (a["shadowread.outcome"].Type() != attribute.INVALID || s.Status().Code == codes.Error) {
			t.Errorf("A/A span has outcome %q and status %v: a search or tail sampler for mismatches would pick it", a["shadowread.outcome"].Emit(), s.Status())
		}
	}

	rec := httptest.NewRecorder()
	h.rec.ReportHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if page := rec.Body.String(); !strings.Contains(page, "Learned noise") || !strings.Contains(page, "generated_at") {
		t.Error("the report page does not show the learned noise")
	}
}

// TestNoiseBounded: a stream of ever new noisy fields keeps at most 32 per
// route, the heaviest.
func TestNoiseBounded(t *testing.T) {
	h := newHarness(t)
	for range 5 {
		h.shadow(baseline("/r", "steady"))
	}
	for i := range 1000 {
		h.shadow(baseline("/r", "f"+strings.Repeat("x", i%50)+string(rune('a'+i%26))))
	}
	fields := h.rec.Report().Noise[0].Fields
	if len(fields) > 32 || fields[0].Field != "steady" {
		t.Errorf("%d fields, first %q; want at most 32 with the steady one first", len(fields), fields[0].Field)
	}
}

// TestTransientsAndRechecks: transient outcomes are counted and shown, not
// failures, and every re-check counts by result per route and direction.
func TestTransientsAndRechecks(t *testing.T) {
	h := newHarness(t)
	const route = "/orders/{id}"
	results := []telemetry.RecheckResult{telemetry.RecheckTransient, telemetry.RecheckTransient, telemetry.RecheckConfirmed,
		telemetry.RecheckDropped, telemetry.RecheckFailed, telemetry.RecheckNone}
	for _, res := range results {
		e := mismatch(route, comparator.Diff{Path: "stock", Kind: comparator.ValueChanged})
		e.Recheck = res
		if res == telemetry.RecheckTransient {
			e.Outcome = telemetry.Transient
		}
		h.shadow(e)
	}
	rr := h.rec.Report().Routes[0]
	if rr.Transients != 2 || rr.Mismatches != 4 || rr.Samples != 6 {
		t.Errorf("transients %d mismatches %d samples %d, want 2, 4, 6", rr.Transients, rr.Mismatches, rr.Samples)
	}
	m := h.metrics(t)["shadowread.rechecks"]
	for _, tt := range []struct {
		result string
		want   int64
		reason string
	}{
		{"transient", 2, "a re-check that matched"},
		{"confirmed", 1, "a re-check that still differed"},
		{"dropped", 1, "no slot for the re-check"},
		{"failed", 1, "the re-check could not compare"},
	} {
		if got, _ := sumPoint(t, m, at(route, attribute.String("result", tt.result))...); got != tt.want {
			t.Errorf("rechecks result=%s = %d, want %d: %s", tt.result, got, tt.want, tt.reason)
		}
		i := slices.IndexFunc(rr.Rechecks, func(c telemetry.RecheckCount) bool { return string(c.Result) == tt.result })
		if i < 0 || rr.Rechecks[i].Count != uint64(tt.want) {
			t.Errorf("report rechecks %v, want %s %d", rr.Rechecks, tt.result, tt.want)
		}
	}
	rec := httptest.NewRecorder()
	h.rec.ReportHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if page := rec.Body.String(); !strings.Contains(page, "(2 transient)") || !strings.Contains(page, "confirmed 1") {
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
}
