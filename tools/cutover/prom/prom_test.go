package prom_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/api"

	"github.com/shadowread/shadowread/cutover"
	"github.com/shadowread/shadowread/tools/cutover/prom"
)

const (
	route          = "/products/{id}"
	scrapeInterval = 200 * time.Millisecond
)

// exporter serves the library's series for one route as a fleet would
// export them, growing by a fixed amount per scrape from 0: per scrape,
// 500 forward matches; 90 reverse matches, 10 reverse mismatches and 10
// DynamoDB-primary requests skipped because the primary failed; PostgreSQL
// answering under 5 ms, DynamoDB between 10 and 25 ms.
type exporter struct {
	mu      sync.Mutex
	scrapes int
}

func (e *exporter) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	e.mu.Lock()
	n := e.scrapes
	e.scrapes++
	e.mu.Unlock()
	fwd := fmt.Sprintf(`route=%q,primary="postgres",shadow="dynamodb"`, route)
	rev := fmt.Sprintf(`route=%q,primary="dynamodb",shadow="postgres"`, route)
	var b strings.Builder
	fmt.Fprintln(&b, "# TYPE shadowread_comparisons_total counter")
	fmt.Fprintf(&b, "shadowread_comparisons_total{%s,outcome=\"match\"} %d\n", fwd, 500*n)
	fmt.Fprintf(&b, "shadowread_comparisons_total{%s,outcome=\"mismatch\"} 0\n", fwd)
	fmt.Fprintf(&b, "shadowread_comparisons_total{%s,outcome=\"match\"} %d\n", rev, 90*n)
	fmt.Fprintf(&b, "shadowread_comparisons_total{%s,outcome=\"mismatch\"} %d\n", rev, 10*n)
	fmt.Fprintf(&b, "shadowread_comparisons_total{%s,outcome=\"skipped\",reason=\"primary_failed\"} %d\n", rev, 10*n)
	fmt.Fprintln(&b, "# TYPE shadowread_duration_seconds histogram")
	histogram := func(labels string, backend string, buckets [][2]any, count int) {
		for _, bk := range buckets {
			fmt.Fprintf(&b, "shadowread_duration_seconds_bucket{%s,role=\"primary\",backend=%q,le=%q} %d\n", labels, backend, bk[0], bk[1])
		}
		fmt.Fprintf(&b, "shadowread_duration_seconds_count{%s,role=\"primary\",backend=%q} %d\n", labels, backend, count)
		fmt.Fprintf(&b, "shadowread_duration_seconds_sum{%s,role=\"primary\",backend=%q} %d\n", labels, backend, count/100)
	}
	histogram(fwd, "postgres", [][2]any{{"0.005", 500 * n}, {"0.01", 500 * n}, {"0.025", 500 * n}, {"+Inf", 500 * n}}, 500*n)
	histogram(rev, "dynamodb", [][2]any{{"0.005", 0}, {"0.01", 0}, {"0.025", 110 * n}, {"+Inf", 110 * n}}, 110*n)
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	_, _ = w.Write([]byte(b.String()))
}

// TestSourceAgainstPrometheus runs a Prometheus server with the example's
// readiness rules, scraping the exporter, and reads the evidence through
// the source: the figures are the exporter's, and the gates judge them.
func TestSourceAgainstPrometheus(t *testing.T) {
	bin, err := exec.LookPath("prometheus")
	if err != nil {
		t.Fatalf("prometheus not found (%v): apt-get install prometheus", err)
	}
	target := httptest.NewServer(&exporter{})
	t.Cleanup(target.Close)
	addr := startPrometheus(t, bin, strings.TrimPrefix(target.URL, "http://"))

	transport := &http.Transport{}
	t.Cleanup(transport.CloseIdleConnections)
	client, err := api.NewClient(api.Config{Address: "http://" + addr, RoundTripper: transport})
	if err != nil {
		t.Fatal(err)
	}
	source := prom.New(client, prom.WithWindow(time.Minute))
	ctx := context.Background()

	var ev cutover.RouteEvidence
	deadline := time.Now().Add(60 * time.Second)
	for {
		// Errors while Prometheus starts are retried.
		ev, err = source.Route(ctx, route)
		if err == nil && ev.Forward.Ready && ev.Reverse.Samples > 0 && ev.DynamoDB.Requests > 0 && ev.DynamoDB.LatencyCount > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("evidence never complete after 60 s: %+v, %v", ev, err)
		}
		time.Sleep(scrapeInterval)
	}

	if ev.Forward.Failures != 0 || ev.Forward.Samples < 1000 || ev.Forward.UpperBound >= 0.0009 {
		t.Errorf("forward %+v, want ready: no failures, at least 1000 samples, a bound under 0.0009", ev.Forward)
	}
	if rate := ev.Reverse.Failures / ev.Reverse.Samples; rate < 0.09 || rate > 0.11 {
		t.Errorf("reverse %+v: failure rate %.3f, want about 0.10", ev.Reverse, rate)
	}
	if rate := ev.DynamoDB.ErrorRate(); rate < 0.08 || rate > 0.10 {
		t.Errorf("dynamodb served %+v: 5xx rate %.3f, want about 10/110", ev.DynamoDB, rate)
	}
	if ev.Postgres.Errors != 0 || ev.Postgres.Requests == 0 {
		t.Errorf("postgres served %+v, want requests without errors", ev.Postgres)
	}
	if p := ev.Postgres.P99; p <= 0 || p > 5*time.Millisecond {
		t.Errorf("postgres p99 %v, want within (0, 5 ms]", p)
	}
	if p := ev.DynamoDB.P99; p <= 10*time.Millisecond || p > 25*time.Millisecond {
		t.Errorf("dynamodb p99 %v, want within (10, 25 ms]", p)
	}
	for _, g := range []cutover.Gate{cutover.ForwardReady(), cutover.ReverseUnder(0.001), cutover.LatencyWithin(1.5, 10), cutover.ErrorsWithin(0.01, 10)} {
		r := g.Check(ctx, route, ev)
		want := cutover.Fail
		if g.Name() == "forward-ready" {
			want = cutover.Pass
		}
		if r.Verdict != want {
			t.Errorf("gate %s: %v (%s), want %v", g.Name(), r.Verdict, r.Reason, want)
		}
	}
}

// startPrometheus starts Prometheus on a free loopback port with temporary
// storage and the example's readiness rules, scraping target. It is
// stopped when the test ends.
func startPrometheus(t *testing.T, bin, target string) string {
	t.Helper()
	dir := t.TempDir()
	rules, err := filepath.Abs("../../../example/observability/readiness.rules.yml")
	if err != nil {
		t.Fatal(err)
	}
	config := fmt.Sprintf(`global:
  scrape_interval: %[1]s
  scrape_timeout: %[1]s
  evaluation_interval: %[1]s
rule_files: [%[2]q]
scrape_configs:
  - job_name: catalog
    static_configs:
      - targets: [%[3]q]
`, scrapeInterval, rules, target)
	configPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(configPath, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	logFile, err := os.Create(filepath.Join(dir, "prometheus.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	cmd := exec.Command(bin, "--config.file="+configPath, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--log.level=warn")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	return addr
}
