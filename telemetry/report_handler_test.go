package telemetry_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/telemetry"
	"github.com/shadowread/shadowread/telemetry/report"
)

func TestReportHandler(t *testing.T) {
	h := newHarness(t)
	h.shadow(event("/products/{id}", telemetry.Match))
	m := mismatch(`/search/<script>alert(1)</script>`, comparator.Diff{Path: "hits[0].<b>name</b>", Kind: comparator.ValueChanged})
	h.shadow(m)
	sig := m.Result.Signature()
	handler := h.rec.ReportHandler()

	tests := []struct {
		name       string
		method     string
		target     string
		accept     string
		wantStatus int
		wantType   string
		wantBody   []string
		notInBody  []string
		reason     string
	}{
		{"html", "GET", "/debug/shadowread", "text/html,application/xhtml+xml,application/json;q=0.9", 200, "text/html; charset=utf-8",
			[]string{"/products/{id}", sig, "hits[0].&lt;b&gt;name&lt;/b&gt;", "&lt;script&gt;alert(1)&lt;/script&gt;"},
			[]string{"<script>", "<b>name"}, "a browser gets the page, with route and path auto-escaped"},
		{"json by query", "GET", "/debug/shadowread?format=json", "text/html", 200, "application/json",
			[]string{`"route": "/products/{id}"`, `"signature": "` + sig + `"`}, nil, "?format=json wins over Accept"},
		{"json by accept", "GET", "/debug/shadowread", "application/json", 200, "application/json",
			[]string{`"ready_threshold": 0.001`}, nil, "API clients get JSON"},
		{"head", "HEAD", "/debug/shadowread", "", 200, "text/html; charset=utf-8", nil, nil, "HEAD is a safe method too"},
		{"post", "POST", "/debug/shadowread", "", 405, "text/plain; charset=utf-8", nil, nil, "the report is read-only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.target, nil)
			if tt.accept != "" {
				req.Header.Set("Accept", tt.accept)
			}
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, req)
			res := rec.Result()
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != tt.wantStatus || res.Header.Get("Content-Type") != tt.wantType {
				t.Fatalf("status %d type %q, want %d %q: %s", res.StatusCode, res.Header.Get("Content-Type"), tt.wantStatus, tt.wantType, tt.reason)
			}
			for _, s := range tt.wantBody {
				if !strings.Contains(string(body), s) {
					t.Errorf("body lacks %q: %s", s, tt.reason)
				}
			}
			for _, s := range tt.notInBody {
				if strings.Contains(string(body), s) {
					t.Errorf("body contains unescaped %q: %s", s, tt.reason)
				}
			}
		})
	}
}

func TestReportJSONRoundTrip(t *testing.T) {
	h := newHarness(t)
	for range 3 {
		h.shadow(mismatch("/orders/{id}", comparator.Diff{Path: "total", Kind: comparator.ValueChanged}))
	}
	rec := httptest.NewRecorder()
	h.rec.ReportHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/?format=json", nil))
	var got report.Report
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatalf("decode: %v", err)
	}
	want := h.rec.Report()
	if len(got.Routes) != 1 || got.Routes[0].Mismatches != 3 || got.Routes[0].Signatures[0].Count != 3 ||
		got.Routes[0].Signatures[0].Signature != want.Routes[0].Signatures[0].Signature ||
		got.Routes[0].PrimaryLatency != want.Routes[0].PrimaryLatency {
		t.Errorf("JSON report = %+v, want the same as Report() = %+v", got, want)
	}
}
