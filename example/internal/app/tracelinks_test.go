package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/shadowread/shadowread/example/internal/app"
	"github.com/shadowread/shadowread/example/internal/catalog"
	"github.com/shadowread/shadowread/internal/testenv"
	"github.com/shadowread/shadowread/telemetry/report"
)

// TestTraceLinks checks that the report page links its trace ids with the
// template of Config.TraceURL, or of the environment without it.
func TestTraceLinks(t *testing.T) {
	const jaeger = "http://127.0.0.1:16686/api/traces/{trace_id}"
	tests := []struct {
		name      string
		reason    string
		env       string
		configure func(*app.Config)
		template  string
	}{
		{"config", "a service sets its tracing backend", "", func(c *app.Config) { c.TraceURL = jaeger }, jaeger},
		{"environment", "make observe points the demo at its Jaeger", jaeger, nil, jaeger},
		{"config over environment", "the explicit setting wins", "http://tempo/{trace_id}", func(c *app.Config) { c.TraceURL = jaeger }, jaeger},
		{"none", "without a template the page shows plain ids", "", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(app.EnvTraceURL, tt.env)
			var configure []func(*app.Config)
			if tt.configure != nil {
				configure = append(configure, tt.configure)
			}
			a, public, admin := service(t, configure...)
			if _, err := a.DynamoDB.Client().DeleteItem(context.Background(), &awsddb.DeleteItemInput{
				TableName: aws.String(a.DynamoDB.Table()), Key: catalog.ProductKey(5)}); err != nil {
				t.Fatal(err)
			}
			get(t, public.URL+"/products/5")
			waitForSamples(t, a, 1)

			status, body := get(t, admin.URL+app.PathReport+"?format=json")
			var page report.Report
			if err := json.Unmarshal(body, &page); status != http.StatusOK || err != nil {
				t.Fatalf("report page: %d, %v", status, err)
			}
			links := 0
			for _, r := range page.Routes {
				for _, sig := range r.Signatures {
					if len(sig.TraceIDs) == 0 {
						t.Errorf("%s: signature %s has no trace id; every trace is sampled here", r.Route, sig.Signature)
					}
					for i, id := range sig.TraceIDs {
						want := ""
						if tt.template != "" {
							want = strings.ReplaceAll(tt.template, "{trace_id}", id)
						}
						got := ""
						if i < len(sig.TraceURLs) {
							got = sig.TraceURLs[i]
						}
						if got != want {
							t.Errorf("link of trace %s: %q, want %q (%s)", id, got, want, tt.reason)
						}
						links++
					}
				}
			}
			if links == 0 {
				t.Fatal("no trace id on the report page after a mismatch")
			}
		})
	}
}

// TestTraceURLInvalid checks that a template without the placeholder is
// refused at start rather than giving links that lead nowhere.
func TestTraceURLInvalid(t *testing.T) {
	flags := filepath.Join(t.TempDir(), "flags.json")
	if err := os.WriteFile(flags, []byte(allSampled), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(app.EnvTraceURL, "http://127.0.0.1:16686/trace/")
	a, err := app.New(context.Background(), app.Config{
		PostgresURL:      testenv.NewDatabase(t),
		DynamoDBEndpoint: testenv.DynamoDBEndpoint(t),
		Table:            testenv.UniqueName(t, "catalog"),
		FlagFile:         flags,
	})
	if err == nil {
		a.Close(context.Background())
		t.Fatal("app.New accepted a trace URL without {trace_id}")
	}
	if !strings.Contains(err.Error(), "{trace_id}") {
		t.Errorf("error %q does not name the placeholder", err)
	}
}
