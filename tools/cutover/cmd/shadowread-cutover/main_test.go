package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/shadowread/shadowread/cutover"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// emptyPrometheus answers every query with an empty vector: a fleet
// without evidence yet.
func emptyPrometheus(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"success","data":{"resultType":"vector","result":[]}}`))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// setup writes a flag file with /orders at 5% and a config naming it.
func setup(t *testing.T, extra string) (configPath, flagPath string) {
	dir := t.TempDir()
	flagPath = filepath.Join(dir, "flags.json")
	flags := `{"flags": {"shadowread.primary-percent": {"state": "ENABLED", "variants": {"0": 0, "5": 5}, "defaultVariant": "0",
	  "targeting": {"if": [{"==": [{"var": "route"}, "/orders"]}, "5", "0"]}}}}`
	if err := os.WriteFile(flagPath, []byte(flags), 0o600); err != nil {
		t.Fatal(err)
	}
	config := `{"routes": ["/orders", "/products/{id}"], "prometheus": "` + emptyPrometheus(t) + `", "flag_file": "` + flagPath + `"` + extra + `}`
	configPath = filepath.Join(dir, "cutover.json")
	if err := os.WriteFile(configPath, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	return configPath, flagPath
}

func TestDryRunPrintsThePlanAndWritesNothing(t *testing.T) {
	configPath, flagPath := setup(t, `, "hold": "1h"`)
	before, _ := os.ReadFile(flagPath)
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-config", configPath, "-dry-run"}, &out, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"plan: [1 5 25 50 100]", "held 1h0m0s", "/orders", "5%", "hold at 5%", "/products/{id}", "forward-ready"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("dry run output lacks %q:\n%s", want, out.String())
		}
	}
	if after, _ := os.ReadFile(flagPath); !bytes.Equal(before, after) {
		t.Error("the dry run wrote the flag file")
	}
}

func TestStatusAsJSON(t *testing.T) {
	configPath, _ := setup(t, "")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-config", configPath, "-status", "-json"}, &out, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	var routes []struct {
		Route   string  `json:"route"`
		Share   float64 `json:"share"`
		Results []struct {
			Gate    string `json:"gate"`
			Verdict string `json:"verdict"`
		} `json:"results"`
	}
	if err := json.Unmarshal(out.Bytes(), &routes); err != nil {
		t.Fatalf("status is not JSON: %v\n%s", err, out.String())
	}
	if len(routes) != 2 || routes[0].Share != 5 || routes[0].Results[0].Verdict != "wait" {
		t.Errorf("status %+v, want /orders at 5%% waiting for evidence", routes)
	}
}

func TestRunNeedsALease(t *testing.T) {
	configPath, _ := setup(t, "")
	err := run(context.Background(), []string{"-config", configPath}, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "single") {
		t.Errorf("run without a lease = %v, want an error naming \"single\"", err)
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name, config, want string
	}{
		{"no routes", `{"prometheus": "x", "flag_file": "y"}`, "routes"},
		{"unknown field", `{"routes": ["/a"], "prometheus": "x", "flag_file": "y", "hodl": "1m"}`, "hodl"},
		{"bad duration", `{"routes": ["/a"], "prometheus": "x", "flag_file": "y", "hold": 30}`, "duration"},
	}
	for _, tt := range tests {
		path := filepath.Join(t.TempDir(), "c.json")
		_ = os.WriteFile(path, []byte(tt.config), 0o600)
		if _, err := loadConfig(path); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error mentioning %q", tt.name, err, tt.want)
		}
	}
}

// TestMetricsServeTheGauges: the gauges of a decision reach /metrics under
// the names the example's alerts use.
func TestMetricsServeTheGauges(t *testing.T) {
	withMetrics, addr, stop, err := serveMetrics("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	_, flagPath := setup(t, "")
	c := cutover.New([]string{"/orders"}, readyEvidence{}, cutover.NewFlagFile(flagPath), cutover.SoleController(),
		withMetrics, cutover.WithLogger(slog.New(slog.DiscardHandler)), cutover.WithHold(0))
	// The file has /orders at 5%: two intervals without a hold promote it twice.
	for range 2 {
		if err := c.Tick(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	transport := &http.Transport{}
	defer transport.CloseIdleConnections()
	resp, err := (&http.Client{Transport: transport}).Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, want := range []string{
		`shadowread_cutover_share_percent{route="/orders"} 50`,
		`shadowread_cutover_step{route="/orders"} 3`,
		`shadowread_cutover_gate{route="/orders"} 1`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s:\n%s", want, body)
		}
	}
}

// readyEvidence passes every default gate.
type readyEvidence struct{}

func (readyEvidence) Route(context.Context, string) (cutover.RouteEvidence, error) {
	served := cutover.Served{P99: time.Millisecond, LatencyCount: 1000, Requests: 1000}
	return cutover.RouteEvidence{
		Forward:  cutover.Readiness{Samples: 5000, UpperBound: 0.0006, Ready: true},
		Reverse:  cutover.Readiness{Samples: 5000, UpperBound: 0.0006},
		Postgres: served, DynamoDB: served,
	}, nil
}
