package app_test

import (
	"bufio"
	"context"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	collectortrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/shadowread/shadowread/example/internal/app"
	"github.com/shadowread/shadowread/example/internal/catalog"
)

// otlpReceiver is an OTLP/HTTP trace receiver: it decodes what the
// service's exporter sends, as a collector or Jaeger would.
type otlpReceiver struct {
	*httptest.Server
	mu    sync.Mutex
	spans []*tracepb.Span
}

func newOTLPReceiver(t *testing.T) *otlpReceiver {
	t.Helper()
	rcv := &otlpReceiver{}
	rcv.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		var req collectortrace.ExportTraceServiceRequest
		if err == nil {
			err = proto.Unmarshal(body, &req)
		}
		if r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" || err != nil {
			t.Errorf("OTLP receiver: %s %s (%s): %v", r.Method, r.URL.Path, r.Header.Get("Content-Type"), err)
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		rcv.mu.Lock()
		for _, rs := range req.ResourceSpans {
			for _, ss := range rs.ScopeSpans {
				rcv.spans = append(rcv.spans, ss.Spans...)
			}
		}
		rcv.mu.Unlock()
		resp, _ := proto.Marshal(&collectortrace.ExportTraceServiceResponse{})
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(resp)
	}))
	t.Cleanup(rcv.Close)
	return rcv
}

func (rcv *otlpReceiver) received() []*tracepb.Span {
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	return rcv.spans
}

func stringAttr(s *tracepb.Span, key string) string {
	for _, kv := range s.Attributes {
		if kv.Key == key {
			return kv.Value.GetStringValue()
		}
	}
	return ""
}

// TestOTLPExport serves reads with OTEL_EXPORTER_OTLP_ENDPOINT pointing at
// an OTLP receiver and checks what arrives there: request spans named after
// their chi route with http.route set (otelhttp alone names them "GET /"),
// and the trace ids of the exemplars on /metrics in OpenMetrics all among
// the exported spans.
func TestOTLPExport(t *testing.T) {
	rcv := newOTLPReceiver(t)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", rcv.URL)
	t.Setenv("OTEL_TRACES_SAMPLER", "")
	a, public, admin := service(t)
	if _, err := a.DynamoDB.Client().DeleteItem(context.Background(), &awsddb.DeleteItemInput{
		TableName: aws.String(a.DynamoDB.Table()), Key: catalog.ProductKey(5)}); err != nil {
		t.Fatal(err)
	}
	paths := map[string]string{ // path → route
		"/products/5":         catalog.RouteProduct,
		"/products/6":         catalog.RouteProduct,
		"/customers/3/orders": catalog.RouteCustomerOrders,
		"/orders/1":           catalog.RouteOrder,
	}
	for path := range paths {
		if status, body := get(t, public.URL+path); status != http.StatusOK {
			t.Fatalf("%s: %d %s", path, status, body)
		}
	}
	waitForSamples(t, a, uint64(len(paths)))
	exemplars := openMetricsExemplars(t, admin.URL+app.PathMetrics)
	if err := a.Close(context.Background()); err != nil { // flushes the spans
		t.Fatal(err)
	}

	spans := rcv.received()
	traces := map[string]bool{}
	requests := map[string]int{} // span name → count
	for _, s := range spans {
		traces[hex.EncodeToString(s.TraceId)] = true
		if s.Kind != tracepb.Span_SPAN_KIND_SERVER {
			continue
		}
		requests[s.Name]++
		if route := stringAttr(s, "http.route"); "GET "+route != s.Name {
			t.Errorf("request span %q has http.route %q; want the route of its name", s.Name, route)
		}
	}
	for path, route := range paths {
		if requests["GET "+route] == 0 {
			t.Errorf("no request span named %q for %s; request spans: %v", "GET "+route, path, requests)
		}
	}
	if requests["GET /"] > 0 {
		t.Errorf("%d request spans named \"GET /\"", requests["GET /"])
	}

	if len(exemplars) == 0 {
		t.Fatal("no exemplar on shadowread_comparisons_total in the OpenMetrics exposition")
	}
	for _, id := range exemplars {
		if !traces[id] {
			t.Errorf("exemplar trace id %s is not among the %d exported spans", id, len(spans))
		}
	}
}

// openMetricsExemplars asks url for OpenMetrics and returns the trace ids
// of the exemplars on the comparison counter.
func openMetricsExemplars(t *testing.T, url string) []string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/openmetrics-text; version=1.0.0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/openmetrics-text") {
		t.Fatalf("%s: Content-Type %q, want OpenMetrics", url, ct)
	}
	exemplar := regexp.MustCompile(`^shadowread_comparisons_total\{.*\} [0-9.e+]+ # \{.*trace_id="([0-9a-f]{32})"`)
	var ids []string
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if m := exemplar.FindStringSubmatch(sc.Text()); m != nil {
			ids = append(ids, m[1])
		}
	}
	return ids
}

// TestTraceDestination checks the banner line on where spans go: the demo
// used to promise a traces file that stays empty when OTLP is set.
func TestTraceDestination(t *testing.T) {
	tests := []struct {
		name     string
		reason   string
		env      map[string]string
		output   string
		contains []string
		excludes string
	}{
		{"file", "without an OTLP endpoint spans go to the trace output", nil,
			"traces.jsonl", []string{"traces.jsonl", "1% of traces"}, "OTLP"},
		{"OTLP", "an OTLP endpoint takes the spans, the file gets none", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"},
			"traces.jsonl", []string{"OTLP/HTTP to http://127.0.0.1:4318"}, "traces.jsonl"},
		{"traces endpoint", "the traces-only variable wins over the general one", map[string]string{
			"OTEL_EXPORTER_OTLP_ENDPOINT": "http://a:4318", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://b:4318/v1/traces"},
			"", []string{"http://b:4318/v1/traces"}, "http://a:4318"},
		{"sampler", "OTEL_TRACES_SAMPLER replaces the ratio", map[string]string{
			"OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0.25"},
			"traces.jsonl", []string{"sampler parentbased_traceidratio 0.25"}, "1%"},
		{"nowhere", "no endpoint and no output keeps no spans", nil, "", []string{"nowhere"}, "%"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG"} {
				t.Setenv(k, tt.env[k])
			}
			got := app.TraceDestination(tt.output, 0.01)
			for _, want := range tt.contains {
				if !strings.Contains(got, want) {
					t.Errorf("TraceDestination = %q, want it to contain %q (%s)", got, want, tt.reason)
				}
			}
			if strings.Contains(got, tt.excludes) {
				t.Errorf("TraceDestination = %q, want no %q (%s)", got, tt.excludes, tt.reason)
			}
		})
	}
}
