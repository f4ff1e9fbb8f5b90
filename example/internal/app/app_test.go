package app_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"go.uber.org/goleak"
	"gopkg.in/yaml.v3"

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

// allSampled shadows every read with PostgreSQL as primary.
const allSampled = `{
  "flags": {
    "shadowread.enabled": {"state": "ENABLED", "variants": {"on": true}, "defaultVariant": "on"},
    "shadowread.sample-percent": {"state": "ENABLED", "variants": {"all": 100}, "defaultVariant": "all"},
    "shadowread.primary": {"state": "ENABLED", "variants": {"postgres": "postgres"}, "defaultVariant": "postgres"}
  }
}`

// service starts the app on a database and a table of the test's own, with
// a small generated catalog copied to DynamoDB, and serves its public and
// its admin handler. configure, if given, changes the configuration first.
func service(t *testing.T, configure ...func(*app.Config)) (a *app.App, public, admin *httptest.Server) {
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
	for _, c := range configure {
		c(&cfg)
	}
	a, err := app.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := a.Close(context.Background()); err != nil {
			t.Errorf("closing the app: %v", err)
		}
	})
	if _, err := demo.Seed(ctx, a.Postgres.Pool(), demo.Dataset{Customers: 30, Products: 60, Orders: 100, Seed: 1}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := backfill.Run(ctx, a.Postgres, a.DynamoDB); err != nil {
		t.Fatal(err)
	}
	public = httptest.NewServer(a.Handler)
	t.Cleanup(public.Close)
	admin = httptest.NewServer(a.Admin)
	t.Cleanup(admin.Close)
	return a, public, admin
}

func get(t *testing.T, url string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(catalog.HeaderCustomerID, "7")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

// waitForSamples waits until the recorder has n samples: shadows finish in
// the background.
func waitForSamples(t *testing.T, a *app.App, n uint64) report.Report {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		rep := a.Recorder.Report()
		var got uint64
		for _, r := range rep.Routes {
			got += r.Samples
		}
		if got >= n {
			return rep
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d samples after 10s, want %d", got, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestService serves reads through the whole stack: the routes get their
// chi patterns as names, a drifted product is a mismatch, and the report
// page and /metrics show it.
func TestService(t *testing.T) {
	// Without the noise baseline, the order list's request_id, new on every
	// read, is a mismatch (TestNoiseBaseline learns it).
	a, srv, admin := service(t, func(c *app.Config) { c.NoiseBaseline = -1 })
	// Product 5 goes missing in DynamoDB.
	if _, err := a.DynamoDB.Client().DeleteItem(context.Background(), &awsddb.DeleteItemInput{
		TableName: aws.String(a.DynamoDB.Table()), Key: catalog.ProductKey(5)}); err != nil {
		t.Fatal(err)
	}
	if status, _ := get(t, srv.URL+app.PathHealth); status != http.StatusOK {
		t.Fatalf("%s: %d", app.PathHealth, status)
	}
	for _, path := range []string{"/products/5", "/products/6", "/customers/3/orders", "/orders/1"} {
		if status, body := get(t, srv.URL+path); status != http.StatusOK {
			t.Fatalf("%s: %d %s", path, status, body)
		}
	}
	rep := waitForSamples(t, a, 4)

	want := map[string][2]uint64{ // samples, mismatches
		catalog.RouteProduct:        {2, 1},
		catalog.RouteCustomerOrders: {1, 1},
		catalog.RouteOrder:          {1, 0},
	}
	for _, r := range rep.Routes {
		w, ok := want[r.Route]
		if !ok {
			t.Errorf("route %q in the report; want chi's patterns only", r.Route)
			continue
		}
		if r.Samples != w[0] || r.Mismatches != w[1] {
			t.Errorf("%s: %d samples, %d mismatches; want %d, %d", r.Route, r.Samples, r.Mismatches, w[0], w[1])
		}
	}

	status, body := get(t, admin.URL+app.PathReport+"?format=json")
	var page report.Report
	if err := json.Unmarshal(body, &page); status != http.StatusOK || err != nil || len(page.Routes) != 3 {
		t.Errorf("report page: %d, %v, %d routes; want 200 and three routes", status, err, len(page.Routes))
	}
}

// TestObservabilityFiles checks that the Grafana dashboard and the alert
// rules refer only to metrics the service exports, with the names the
// Prometheus exporter gives them.
func TestObservabilityFiles(t *testing.T) {
	a, srv, admin := service(t)
	if _, err := a.DynamoDB.Client().DeleteItem(context.Background(), &awsddb.DeleteItemInput{
		TableName: aws.String(a.DynamoDB.Table()), Key: catalog.ProductKey(5)}); err != nil {
		t.Fatal(err)
	}
	get(t, srv.URL+"/products/5") // a mismatch, so that its counter exists
	waitForSamples(t, a, 1)

	status, body := get(t, admin.URL+app.PathMetrics)
	if status != http.StatusOK {
		t.Fatalf("%s: %d", app.PathMetrics, status)
	}
	exported := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(string(body)))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		exported[line[:strings.IndexAny(line, "{ ")]] = true
	}

	dashboard, err := os.ReadFile("../../observability/dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(dashboard, &dash); err != nil {
		t.Fatalf("dashboard.json: %v", err)
	}
	exprs := map[string]string{} // where → expression
	for _, p := range dash.Panels {
		for i, target := range p.Targets {
			exprs["dashboard panel "+p.Title+" target "+string(rune('A'+i))] = target.Expr
		}
	}
	recorded := map[string]bool{} // names of recording rules
	for _, file := range []string{"alerts.yml", "readiness.rules.yml"} {
		text, err := os.ReadFile("../../observability/" + file)
		if err != nil {
			t.Fatal(err)
		}
		var rules struct {
			Groups []struct {
				Rules []struct {
					Alert  string `yaml:"alert"`
					Record string `yaml:"record"`
					Expr   string `yaml:"expr"`
				} `yaml:"rules"`
			} `yaml:"groups"`
		}
		if err := yaml.Unmarshal(text, &rules); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for _, g := range rules.Groups {
			for _, r := range g.Rules {
				exprs[file+" rule "+r.Alert+r.Record] = r.Expr
				if r.Record != "" {
					recorded[r.Record] = true
				}
			}
		}
	}
	if len(exprs) < 20 {
		t.Fatalf("found %d expressions in the dashboard and the rules; the files' structure changed", len(exprs))
	}
	// Recording rules' names (level:metric:operations) refer to the rules,
	// everything else to /metrics.
	ruleName := regexp.MustCompile(`\b[a-z_]+:[a-z_0-9]+:[a-z_0-9]+\b`)
	name := regexp.MustCompile(`\b[a-z_]+_[a-z_]+(_total|_bucket|_seconds|_count|_sum|inflight)\b|\bshadowread_[a-z_]+\b`)
	for where, expr := range exprs {
		rules := ruleName.FindAllString(expr, -1)
		for _, r := range rules {
			if !recorded[r] {
				t.Errorf("%s refers to %s, which no recording rule records", where, r)
			}
		}
		metrics := name.FindAllString(ruleName.ReplaceAllString(expr, ""), -1)
		if len(metrics)+len(rules) == 0 {
			t.Errorf("%s: no metric in %q", where, expr)
		}
		for _, m := range metrics {
			if !strings.HasPrefix(m, "shadowread_") && !strings.HasPrefix(m, "catalog_") {
				t.Errorf("%s refers to %s, which neither the library nor the catalog emits", where, m)
			} else if !exported[m] {
				t.Errorf("%s refers to %s, which /metrics does not export", where, m)
			}
		}
	}
}
