package telemetry_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/telemetry"
)

// TestTraceIDsResolve runs 400 mismatching requests through a tracer
// provider with a parent-based 25% ratio sampler, as a production service
// would, and checks that every trace id the recorder hands out (on the
// report page, in mismatch log lines and in metric exemplars) belongs to an
// exported span, and that every exported mismatch span is in its request's
// trace.
func TestTraceIDsResolve(t *testing.T) {
	var logs logBuffer
	const traceURL = "http://localhost:16686/trace/{trace_id}"
	h := newSampledHarness(t, sdktrace.ParentBased(sdktrace.TraceIDRatioBased(0.25)),
		telemetry.WithLogger(logs.logger()), telemetry.WithMaxSignatures(40), telemetry.WithTraceURL(traceURL))
	tracer := h.tp.Tracer("test")

	requests := map[trace.SpanID]trace.SpanContext{} // every request span, sampled or not
	for i := range 400 {
		ctx, span := tracer.Start(context.Background(), "GET /orders/{id}")
		requests[span.SpanContext().SpanID()] = span.SpanContext()
		e := mismatch("/orders/{id}", comparator.Diff{Path: fmt.Sprintf("f%d", i%40), Kind: comparator.ValueChanged})
		e.RequestSpan = span.SpanContext()
		span.End() // the request usually ends before its shadow
		if i%10 == 9 {
			// A mismatch recorded without a shadow span: only the request's id is at hand.
			h.rec.Record(ctx, e)
			continue
		}
		ctx = h.rec.StartShadow(ctx, e)
		h.rec.Record(ctx, e)
	}

	exported := map[trace.TraceID]bool{}
	exportedSpans := map[trace.SpanID]bool{}
	for _, s := range h.spans.Ended() {
		exported[s.SpanContext().TraceID()] = true
		exportedSpans[s.SpanContext().SpanID()] = true
	}
	sampled := 0
	for _, sc := range requests {
		if sc.IsSampled() {
			sampled++
		}
	}
	if sampled == 0 || sampled == len(requests) {
		t.Fatalf("%d of %d requests sampled; the test needs both kinds", sampled, len(requests))
	}

	shown := map[string][]string{} // where -> ids
	for _, r := range h.rec.Report().Routes {
		for _, s := range r.Signatures {
			shown["report"] = append(shown["report"], s.TraceIDs...)
		}
	}
	rec := httptest.NewRecorder()
	h.rec.ReportHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	for _, m := range regexp.MustCompile(`/trace/([0-9a-f]{32})`).FindAllStringSubmatch(rec.Body.String(), -1) {
		shown["report page links"] = append(shown["report page links"], m[1])
	}
	for _, line := range logs.lines(t) {
		if id, ok := line["trace_id"].(string); ok {
			shown["log lines"] = append(shown["log lines"], id)
		}
	}
	for name, m := range h.metrics(t) {
		for _, ex := range exemplarTraceIDs(m) {
			shown["exemplars of "+name] = append(shown["exemplars of "+name], ex)
		}
	}

	for _, where := range []string{"report", "report page links", "log lines", "exemplars of shadowread.comparisons", "exemplars of shadowread.duration"} {
		if len(shown[where]) == 0 {
			t.Errorf("no trace ids in the %s: the test would pass vacuously", where)
		}
	}
	for where, ids := range shown {
		for _, id := range ids {
			tid, err := trace.TraceIDFromHex(id)
			if err != nil || !exported[tid] {
				t.Errorf("%s show trace id %s, which no exported span has: the link leads nowhere", where, id)
			}
		}
	}

	mismatchSpans := 0
	for _, s := range h.spans.Ended() {
		if attrs(s.Attributes())["shadowread.outcome"].AsString() != "mismatch" {
			continue
		}
		mismatchSpans++
		parent, ok := requests[s.Parent().SpanID()]
		if !ok || parent.TraceID() != s.SpanContext().TraceID() || !exportedSpans[parent.SpanID()] {
			t.Errorf("mismatch span %v has parent %v: want an exported request span of the same trace", s.SpanContext(), s.Parent())
		}
		if s.Status().Code != codes.Error {
			t.Errorf("mismatch span status = %v, want Error", s.Status())
		}
	}
	if want := 360 * sampled / len(requests); mismatchSpans < want/2 || mismatchSpans > 360 {
		t.Errorf("%d mismatch spans exported, want about %d (the sampled requests' shadows)", mismatchSpans, want)
	}
	if !strings.Contains(rec.Body.String(), `href="http://localhost:16686/trace/`) {
		t.Error("the report page shows no trace links with WithTraceURL")
	}
}

// exemplarTraceIDs lists the trace ids of m's exemplars, in hex.
func exemplarTraceIDs(m metricdata.Metrics) []string {
	var out []string
	add := func(tid []byte) {
		if len(tid) > 0 {
			out = append(out, fmt.Sprintf("%x", tid))
		}
	}
	switch d := m.Data.(type) {
	case metricdata.Sum[int64]:
		for _, dp := range d.DataPoints {
			for _, ex := range dp.Exemplars {
				add(ex.TraceID)
			}
		}
	case metricdata.Histogram[float64]:
		for _, dp := range d.DataPoints {
			for _, ex := range dp.Exemplars {
				add(ex.TraceID)
			}
		}
	}
	return out
}

// TestMismatchSpanAttributes: a mismatch span carries both status codes,
// both durations and the diff fields, for a search by field in the tracing
// backend.
func TestMismatchSpanAttributes(t *testing.T) {
	h := newHarness(t)
	e := mismatch("/orders/{id}",
		comparator.Diff{Path: "items[3].price", Field: "items[].price", Kind: comparator.ValueChanged,
			Hint: comparator.Hint{Triage: comparator.TriageRepresentation, Option: "FloatTolerance(0, 1e-9)"}},
		comparator.Diff{Path: "note", Kind: comparator.MissingInShadow})
	e.PrimaryStatus, e.ShadowStatus = 200, 200
	ctx := h.rec.StartShadow(context.Background(), e)
	h.rec.Record(ctx, e)
	span := endedSpan(t, h, trace.SpanFromContext(ctx).SpanContext())
	got := attrs(span.Attributes())
	tests := []struct {
		key    attribute.Key
		want   attribute.Value
		reason string
	}{
		{"shadowread.primary.status_code", attribute.IntValue(200), "the primary's status"},
		{"shadowread.shadow.status_code", attribute.IntValue(200), "the shadow's status"},
		{"shadowread.primary.duration", attribute.Float64Value(0.003), "the primary's time, to compare with the shadow's"},
		{"shadowread.shadow.duration", attribute.Float64Value(0.005), "the shadow's time"},
		{"shadowread.diff.fields", attribute.StringSliceValue([]string{"items[].price", "note"}), "index-free fields, the path where Field is empty"},
		{"shadowread.diff.kinds", attribute.StringSliceValue([]string{"value_changed", "missing_in_shadow"}), "the kinds of difference"},
	}
	for _, tt := range tests {
		if got[tt.key].Emit() != tt.want.Emit() {
			t.Errorf("%s = %s, want %s: %s", tt.key, got[tt.key].Emit(), tt.want.Emit(), tt.reason)
		}
	}
	ev := attrs(span.Events()[0].Attributes)
	if ev["shadowread.diff.field"].AsString() != "items[].price" || ev["shadowread.diff.triage"].AsString() != "representation" ||
		ev["shadowread.diff.option"].AsString() != "FloatTolerance(0, 1e-9)" {
		t.Errorf("diff event = %v, want field, triage and option", span.Events()[0].Attributes)
	}
	if span.Status().Code != codes.Error {
		t.Errorf("status = %v, want Error", span.Status())
	}
}
