package demo_test

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shadowread/shadowread/example/internal/demo"
	"github.com/shadowread/shadowread/internal/testenv"
)

// TestRun runs the whole migration, small and short, against the shared
// servers: every phase's verdict must hold.
func TestRun(t *testing.T) {
	var out bytes.Buffer
	cfg := demo.DefaultConfig()
	cfg.PostgresURL = testenv.PostgresURL(t)
	cfg.DynamoDBEndpoint = testenv.DynamoDBEndpoint(t)
	cfg.Dataset = demo.Dataset{Customers: 200, Products: 400, Orders: 3000, Seed: 3}
	cfg.LoadDuration = 3 * time.Second
	cfg.PhaseDuration = 2 * time.Second
	cfg.Workers = 4
	// A short run reads the drifted keys more often to compare each of them.
	cfg.VictimShare = 0.3
	// A run of seconds has too few order lists for the 5% a service runs
	// to learn their request_id from many customers.
	cfg.NoiseBaseline = 100
	cfg.Addr = "127.0.0.1:0"
	cfg.Dir = t.TempDir()
	cfg.Log = io.Discard
	cfg.Out = demo.NewPlainPrinter(&out)

	pass, err := demo.Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	if !pass {
		t.Fatalf("the demo's check failed:\n%s", out.String())
	}
	// request_id is learned from the A/A pairs by the end of the run; a
	// short run under -race may learn it only after the dark reads phase.
	if !learnedRequestID.MatchString(out.String()) {
		t.Errorf("the report does not show request_id learned as noise:\n%s", out.String())
	}
	for _, want := range []string{"verify stores", "rollback drill", "decommission PostgreSQL", "found:", "absorbed:",
		"mismatches on requests without drift: none", "lost update, repaired by a later write",
		"ok   /customers/", "(rollback)", "PASS"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

// learnedRequestID matches the report's noise line of request_id once the
// route's A/A pairs have proven it nondeterministic.
var learnedRequestID = regexp.MustCompile(`(?m)^\s*request_id\s+differed in [0-9,]+ A/A pairs.*\blearned$`)
