package observability_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"go.uber.org/goleak"

	"github.com/shadowread/shadowread/example/internal/app"
	"github.com/shadowread/shadowread/example/internal/backfill"
	"github.com/shadowread/shadowread/example/internal/catalog"
	"github.com/shadowread/shadowread/example/internal/demo"
	"github.com/shadowread/shadowread/internal/testenv"
	"github.com/shadowread/shadowread/telemetry/report"
)

func TestMain(m *testing.M) {
	// flagd v0.6.0 leaves its event loop running after shutdown.
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/open-feature/go-sdk-contrib/providers/flagd/pkg.(*Provider).handleEvents"))
}

// Prometheus settings of the fleet test. increase() extrapolates each
// series to the window's edges, by at most half the average scrape interval
// at its start and 1.1 of it at its end, so over a series scraped for
// minScraped every 200 ms the rules read at most 1.6 × 200 ms / 12 s = 2.7%
// high. Scrapes that run late under the race detector on a busy machine
// stretch the average interval, so the test allows extrapolationTolerance.
const (
	scrapeInterval         = 200 * time.Millisecond
	minScraped             = 12 * time.Second
	extrapolationTolerance = 0.08
	// Wilson/Clopper-Pearson stays within [0.87, 1] from 30 samples on
	// (the table in readiness.rules.yml).
	wilsonOverCPMin = 0.87
)

// allSampled shadows every read with PostgreSQL as primary.
const allSampled = `{
  "flags": {
    "shadowread.enabled": {"state": "ENABLED", "variants": {"on": true}, "defaultVariant": "on"},
    "shadowread.sample-percent": {"state": "ENABLED", "variants": {"all": 100}, "defaultVariant": "all"},
    "shadowread.primary": {"state": "ENABLED", "variants": {"postgres": "postgres"}, "defaultVariant": "postgres"}
  }
}`

// TestFleetReadiness runs three replicas of the example service on shared
// stores, a Prometheus server scraping their admin listeners with the rules
// of readiness.rules.yml, and traffic with known mismatches. Prometheus's
// sums of the raw counters equal the replicas' own counts exactly; the
// recorded samples and failures match the traffic's within increase()'s
// extrapolation; and the recorded Wilson bound is the formula's for the
// recorded counts and lies within the documented band below the library's
// Clopper-Pearson bound on the summed counts.
func TestFleetReadiness(t *testing.T) {
	promBin := prometheusBinary(t)
	replicas := fleet(t, 3)
	first := replicas[0].app

	// Products 5 and 7 are missing in DynamoDB: their reads mismatch.
	for _, id := range []int64{5, 7} {
		if _, err := first.DynamoDB.Client().DeleteItem(context.Background(), &awsddb.DeleteItemInput{
			TableName: aws.String(first.DynamoDB.Table()), Key: catalog.ProductKey(id)}); err != nil {
			t.Fatal(err)
		}
	}

	// Every series the traffic adds to exists before Prometheus first
	// scrapes it: increase() ignores a series' first sample, and the
	// library's series may start at their first value rather than at 0.
	warmUp := []string{"/products/5", "/products/6", "/customers/3/orders"}
	for _, r := range replicas {
		for _, path := range warmUp {
			r.get(t, path)
		}
		r.waitForSamples(t, uint64(len(warmUp)))
	}
	baseline := fleetReadiness(replicas)

	prom := startPrometheus(t, promBin, replicas)
	prom.waitFor(t, "every replica scraped with its warm-up counts", func() (bool, string) {
		got := prom.vector(t, `sum by (route, outcome) (shadowread_comparisons_total)`, "route", "outcome")
		return equalCounts(got, fleetOutcomes(replicas)), fmt.Sprint(got)
	})
	scrapedSince := time.Now()

	// Traffic: each replica reads a different number of products, some of
	// them missing ones, and of customers' orders.
	for i, r := range replicas {
		reads := 0
		for k := range 25 + 15*i {
			r.get(t, fmt.Sprintf("/products/%d", 1+(k*(i+2))%40))
			reads++
		}
		for k := range 10 + 5*i {
			r.get(t, fmt.Sprintf("/customers/%d/orders", 1+k%20))
			reads++
		}
		r.waitForSamples(t, uint64(len(warmUp)+reads))
	}

	// Sums of the raw counters: exact.
	want := fleetOutcomes(replicas)
	prom.waitFor(t, "Prometheus's counter sums to equal the replicas' counts", func() (bool, string) {
		got := prom.vector(t, `sum by (route, outcome) (shadowread_comparisons_total)`, "route", "outcome")
		return equalCounts(got, want), fmt.Sprintf("got %v, want %v", got, want)
	})
	if wait := minScraped - time.Since(scrapedSince); wait > 0 {
		time.Sleep(wait) // the extrapolation bound needs this much scraped history
	}

	// What the traffic added, per route: the exact counts.
	final := fleetReadiness(replicas)
	delta := map[string]readiness{}
	for route, f := range final {
		b := baseline[route]
		delta[route] = readiness{samples: f.samples - b.samples, failures: f.failures - b.failures}
	}
	if len(delta) != 2 || delta[catalog.RouteProduct].failures == 0 {
		t.Fatalf("traffic gave %v; want two routes and failures on %s", delta, catalog.RouteProduct)
	}

	var samples, failures, bound map[string]float64
	prom.waitFor(t, "the rules to count every sample of the traffic", func() (bool, string) {
		samples = prom.byRoute(t, "route_direction:shadowread_samples:increase1h")
		failures = prom.byRoute(t, "route_direction:shadowread_failures:increase1h")
		bound = prom.byRoute(t, "route_direction:shadowread_failure_upper_bound:wilson95_1h")
		for route, d := range delta {
			if samples[route] < float64(d.samples) || failures[route] < float64(d.failures) || bound[route] == 0 {
				return false, fmt.Sprintf("samples %v, failures %v, bound %v; want %v", samples, failures, bound, delta)
			}
			// The three queries may straddle a rule evaluation: read
			// again until they describe the same one.
			if w := wilson(failures[route], samples[route]); math.Abs(bound[route]-w) > 1e-9*w {
				return false, fmt.Sprintf("%s: bound %v read from another evaluation than samples %v and failures %v", route, bound[route], samples[route], failures[route])
			}
		}
		return true, ""
	})

	// The conservative figures the ready rule reads: no more samples than
	// the replicas counted after Prometheus first saw them, no fewer
	// failures, and so a bound at or above Wilson's on the exact counts.
	var observed, covered, safe map[string]float64
	prom.waitFor(t, "the conservative rules to see the traffic", func() (bool, string) {
		observed = prom.byRoute(t, "route_direction:shadowread_samples:observed1h")
		covered = prom.byRoute(t, "route_direction:shadowread_failures:covered1h")
		safe = prom.byRoute(t, "route_direction:shadowread_failure_upper_bound:conservative1h")
		for route, d := range delta {
			if observed[route] < float64(d.samples) || covered[route] < float64(d.failures) || safe[route] == 0 {
				return false, fmt.Sprintf("observed %v, covered %v, bound %v; want %v", observed, covered, safe, delta)
			}
		}
		return true, ""
	})
	for route, d := range delta {
		if observed[route] != float64(d.samples) {
			t.Errorf("%s: observed %.2f samples, the replicas %d since Prometheus first scraped them: the observed count must be exact or lower",
				route, observed[route], d.samples)
		}
		if exact := wilson(float64(d.failures), float64(d.samples)); safe[route] < exact*(1-1e-9) {
			t.Errorf("%s: conservative bound %.6f below Wilson's %.6f on the exact counts %d/%d", route, safe[route], exact, d.failures, d.samples)
		}
		t.Logf("%s: conservative fleet bound %.4f on %.1f failures covered in %.0f samples observed (exact %d/%d)",
			route, safe[route], covered[route], observed[route], d.failures, d.samples)
	}

	for route, d := range delta {
		n, f, u := samples[route], failures[route], bound[route]
		if over := n/float64(d.samples) - 1; over > extrapolationTolerance {
			t.Errorf("%s: rules counted %.2f samples, the replicas %d: %.1f%% over, want at most %.0f%%",
				route, n, d.samples, 100*over, 100*extrapolationTolerance)
		}
		if d.failures > 0 {
			if over := f/float64(d.failures) - 1; over > extrapolationTolerance {
				t.Errorf("%s: rules counted %.2f failures, the replicas %d: %.1f%% over, want at most %.0f%%",
					route, f, d.failures, 100*over, 100*extrapolationTolerance)
			}
		} else if f != 0 {
			t.Errorf("%s: rules counted %.2f failures, the replicas none", route, f)
		}
		if w := wilson(f, n); math.Abs(u-w) > 1e-9*w {
			t.Errorf("%s: recorded bound %.12g, Wilson formula on the recorded counts %.12g", route, u, w)
		}
		cp := report.UpperBound(d.failures, d.samples)
		if ratio := u / cp; ratio < wilsonOverCPMin*(1-extrapolationTolerance) || ratio > 1+extrapolationTolerance {
			t.Errorf("%s: fleet Wilson bound %.6f is %.3f times the Clopper-Pearson bound %.6f of %d failures in %d samples; want %.2f to 1",
				route, u, ratio, cp, d.failures, d.samples, wilsonOverCPMin)
		}
		own := make([]string, len(replicas))
		for i, r := range replicas {
			for _, rr := range r.app.Recorder.Readiness() {
				if rr.Route == route {
					own[i] = fmt.Sprintf("%.4f (%d/%d)", rr.UpperBound, rr.Mismatches+rr.Errors, rr.Samples)
				}
			}
		}
		t.Logf("%s: fleet Wilson %.4f on %.1f/%.1f recorded, Clopper-Pearson %.4f on %d/%d; replicas' own (since start): %s",
			route, u, f, n, cp, d.failures, d.samples, strings.Join(own, ", "))
	}
}

// wilson is the bound of readiness.rules.yml: the one-sided 95% Wilson
// score upper bound on a rate of f failures in n samples.
func wilson(f, n float64) float64 {
	const z = 1.6448536269514722
	p := f / n
	return (p + z*z/(2*n) + z*math.Sqrt(p*(1-p)/n+z*z/(4*n*n))) / (1 + z*z/n)
}

// client bounds every request of the test, so that a stuck server fails
// the test instead of hanging it.
var client = &http.Client{Timeout: 10 * time.Second}

// replica is one instance of the example service, served on loopback.
type replica struct {
	app    *app.App
	public *httptest.Server
	admin  *httptest.Server
}

// fleet starts n replicas on one database and one table, seeded with a
// small catalog.
func fleet(t *testing.T, n int) []*replica {
	t.Helper()
	ctx := context.Background()
	flags := filepath.Join(t.TempDir(), "flags.json")
	if err := os.WriteFile(flags, []byte(allSampled), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := app.Config{
		PostgresURL:      testenv.NewDatabase(t),
		DynamoDBEndpoint: testenv.DynamoDBEndpoint(t),
		Table:            testenv.UniqueName(t, "catalog"),
		FlagFile:         flags,
		Logger:           slog.New(slog.DiscardHandler),
	}
	var replicas []*replica
	for i := range n {
		a, err := app.New(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := a.Close(context.Background()); err != nil {
				t.Errorf("closing replica %d: %v", i, err)
			}
		})
		r := &replica{app: a, public: httptest.NewServer(a.Handler), admin: httptest.NewServer(a.Admin)}
		t.Cleanup(r.public.Close)
		t.Cleanup(r.admin.Close)
		replicas = append(replicas, r)
	}
	a := replicas[0].app
	if _, err := demo.Seed(ctx, a.Postgres.Pool(), demo.Dataset{Customers: 30, Products: 60, Orders: 100, Seed: 1}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := backfill.Run(ctx, a.Postgres, a.DynamoDB); err != nil {
		t.Fatal(err)
	}
	return replicas
}

func (r *replica) get(t *testing.T, path string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, r.public.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(catalog.HeaderCustomerID, "7")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d %s", path, resp.StatusCode, body)
	}
}

// waitForSamples waits until the replica's shadows, which finish in the
// background, have given n samples.
func (r *replica) waitForSamples(t *testing.T, n uint64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var got uint64
		for _, rr := range r.app.Recorder.Readiness() {
			got += rr.Samples
		}
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d samples after 10s, want %d", got, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// readiness is a route's samples and failures.
type readiness struct{ samples, failures uint64 }

// fleetReadiness sums the replicas' own readiness counts by route.
func fleetReadiness(replicas []*replica) map[string]readiness {
	out := map[string]readiness{}
	for _, r := range replicas {
		for _, rr := range r.app.Recorder.Readiness() {
			s := out[rr.Route]
			s.samples += rr.Samples
			s.failures += rr.Mismatches + rr.Errors
			out[rr.Route] = s
		}
	}
	return out
}

// fleetOutcomes sums the replicas' own counts by route and outcome, keyed
// "route outcome".
func fleetOutcomes(replicas []*replica) map[string]float64 {
	out := map[string]float64{}
	for _, r := range replicas {
		for _, route := range r.app.Recorder.Report().Routes {
			for _, oc := range route.Outcomes {
				out[route.Route+" "+string(oc.Outcome)] += float64(oc.Count)
			}
		}
	}
	return out
}

// equalCounts compares two sets of counts, taking a missing key as 0.
func equalCounts(a, b map[string]float64) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	for k, v := range b {
		if a[k] != v {
			return false
		}
	}
	return true
}

// prometheusBinary returns the path of the prometheus binary. Without one
// the test fails, as the tests needing PostgreSQL do without it: make test
// installs it (scripts/ensure-prometheus.sh).
func prometheusBinary(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("prometheus")
	if err != nil {
		t.Fatalf("prometheus not found (%v): run scripts/ensure-prometheus.sh (Debian: apt-get install prometheus), as make test does", err)
	}
	return path
}

// prometheus is a Prometheus server of the test's own.
type prometheus struct {
	url string
	log string
}

// startPrometheus starts Prometheus on a free loopback port with temporary
// storage, scraping the replicas' admin listeners every scrapeInterval and
// evaluating readiness.rules.yml as often. It is stopped when the test ends.
func startPrometheus(t *testing.T, bin string, replicas []*replica) *prometheus {
	t.Helper()
	dir := t.TempDir()
	rules, err := filepath.Abs("readiness.rules.yml")
	if err != nil {
		t.Fatal(err)
	}
	var targets []string
	for _, r := range replicas {
		u, err := url.Parse(r.admin.URL)
		if err != nil {
			t.Fatal(err)
		}
		targets = append(targets, strconv.Quote(u.Host))
	}
	config := fmt.Sprintf(`global:
  scrape_interval: %[1]s
  scrape_timeout: %[1]s
  evaluation_interval: %[1]s
rule_files: [%[2]q]
scrape_configs:
  - job_name: catalog
    metrics_path: %[3]s
    static_configs:
      - targets: [%[4]s]
`, scrapeInterval, rules, app.PathMetrics, strings.Join(targets, ", "))
	configPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(configPath, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	logPath := filepath.Join(dir, "prometheus.log")
	logFile, err := os.Create(logPath)
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
	p := &prometheus{url: "http://" + addr, log: logPath}
	p.waitFor(t, "Prometheus to be ready", func() (bool, string) {
		resp, err := client.Get(p.url + "/-/ready")
		if err != nil {
			return false, err.Error()
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, resp.Status
	})
	return p
}

// waitFor polls cond until it holds, for at most 20 s.
func (p *prometheus) waitFor(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(p.log)
			t.Fatalf("waited 20s for %s: %s\nPrometheus log:\n%s", what, state, log)
		}
		time.Sleep(scrapeInterval)
	}
}

// vector runs an instant query and returns its values keyed by the given
// labels' values, joined by spaces.
func (p *prometheus) vector(t *testing.T, query string, labels ...string) map[string]float64 {
	t.Helper()
	resp, err := client.Get(p.url + "/api/v1/query?query=" + url.QueryEscape(query))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result []struct {
				Metric map[string]string `json:"metric"`
				Value  [2]any            `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.Status != "success" {
		t.Fatalf("query %s: %v %s", query, err, body.Error)
	}
	out := map[string]float64{}
	for _, r := range body.Data.Result {
		key := make([]string, len(labels))
		for i, l := range labels {
			key[i] = r.Metric[l]
		}
		s, _ := r.Value[1].(string)
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("query %s: value %v: %v", query, r.Value[1], err)
		}
		out[strings.Join(key, " ")] = v
	}
	return out
}

// byRoute returns a recorded series by route; the test's traffic has one
// direction per route.
func (p *prometheus) byRoute(t *testing.T, name string) map[string]float64 {
	t.Helper()
	return p.vector(t, name, "route")
}

// freeAddr returns a loopback address with a port that is free right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
