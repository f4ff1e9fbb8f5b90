package telemetry_test

import (
	"context"
	"errors"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/telemetry"
)

func TestShadowSpan(t *testing.T) {
	h := newHarness(t)
	request := h.requestSpan()
	e := mismatch("/products/{id}",
		comparator.Diff{Path: "price", Kind: comparator.ValueChanged},
		comparator.Diff{Path: "tags[2]", Kind: comparator.MissingInShadow})
	e.RequestSpan = request

	ctx := h.rec.StartShadow(context.Background(), e)
	shadowSpan := trace.SpanFromContext(ctx).SpanContext()
	if !shadowSpan.IsValid() {
		t.Fatal("StartShadow returned a context without a span; store calls of the shadow would not be traced")
	}
	h.rec.Record(ctx, e)

	span := endedSpan(t, h, shadowSpan)
	if span.Name() != "shadowread.shadow /products/{id}" {
		t.Errorf("name = %q", span.Name())
	}
	if span.SpanKind() != trace.SpanKindInternal {
		t.Errorf("kind = %v, want internal", span.SpanKind())
	}
	if !span.Parent().Equal(request) {
		t.Errorf("parent = %v, want the request span %v: the shadow is in the request's trace and shares its sampling decision", span.Parent(), request)
	}
	got := attrs(span.Attributes())
	want := map[attribute.Key]attribute.Value{
		"shadowread.route":          attribute.StringValue("/products/{id}"),
		"shadowread.method":         attribute.StringValue("GET"),
		"shadowread.primary":        attribute.StringValue("postgres"),
		"shadowread.shadow":         attribute.StringValue("dynamodb"),
		"shadowread.outcome":        attribute.StringValue("mismatch"),
		"shadowread.diff.count":     attribute.IntValue(2),
		"shadowread.diff.truncated": attribute.BoolValue(false),
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("attribute %s = %v, want %v", k, got[k].Emit(), v.Emit())
		}
	}
	if sig := got["shadowread.diff.signature"].AsString(); sig == "" {
		t.Error("no shadowread.diff.signature attribute")
	}
	events := span.Events()
	if len(events) != 2 {
		t.Fatalf("%d events, want one per kept diff (2)", len(events))
	}
	for i, d := range e.Result.Diffs {
		ev := attrs(events[i].Attributes)
		if events[i].Name != "shadowread.diff" || ev["shadowread.diff.path"].AsString() != d.Path || ev["shadowread.diff.kind"].AsString() != string(d.Kind) {
			t.Errorf("event %d = %s %v, want shadowread.diff with path %q kind %q", i, events[i].Name, events[i].Attributes, d.Path, d.Kind)
		}
	}
	if span.Status().Code != codes.Error {
		t.Errorf("status = %v, want Error for a mismatch: error views and tail samplers keep it", span.Status())
	}
}

func TestShadowSpanStatus(t *testing.T) {
	tests := []struct {
		name       string
		outcome    telemetry.Outcome
		err        error
		wantStatus codes.Code
		wantError  bool
		reason     string
	}{
		{"match", telemetry.Match, nil, codes.Unset, false, "a matching shadow is a healthy span"},
		{"shadow error", telemetry.ShadowError, errors.New("dynamodb: throttled"), codes.Error, true,
			"a failed shadow is an error span carrying the error"},
		{"timeout", telemetry.Timeout, context.DeadlineExceeded, codes.Error, true,
			"a timed-out shadow is an error span"},
		{"skipped", telemetry.Skipped, nil, codes.Unset, false, "a skipped comparison is not the shadow's fault"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			e := event("/products/{id}", tt.outcome)
			e.Err = tt.err
			ctx := h.rec.StartShadow(context.Background(), e)
			h.rec.Record(ctx, e)
			span := endedSpan(t, h, trace.SpanFromContext(ctx).SpanContext())
			if span.Status().Code != tt.wantStatus {
				t.Errorf("status = %v, want %v: %s", span.Status().Code, tt.wantStatus, tt.reason)
			}
			hasException := false
			for _, ev := range span.Events() {
				hasException = hasException || ev.Name == "exception"
			}
			if hasException != tt.wantError {
				t.Errorf("exception event = %v, want %v: %s", hasException, tt.wantError, tt.reason)
			}
		})
	}
}

func TestRecordWithoutStartMakesNoSpan(t *testing.T) {
	h := newHarness(t)
	e := event("/products/{id}", telemetry.Dropped)
	e.RequestSpan = h.requestSpan()
	h.rec.Record(context.Background(), e)
	if ended := h.spans.Ended(); len(ended) != 1 || ended[0].Name() != "GET /products/{id}" {
		t.Errorf("ended spans = %v, want only the request's: a shadow that never ran has no span", ended)
	}
}
