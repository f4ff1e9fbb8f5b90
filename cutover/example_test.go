package cutover_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/shadowread/shadowread/cutover"
)

// evidence is a source on which every gate passes.
type evidence struct{}

func (evidence) Route(context.Context, string) (cutover.RouteEvidence, error) {
	served := cutover.Served{P99: 10 * time.Millisecond, LatencyCount: 1000, Requests: 1000}
	return cutover.RouteEvidence{
		Forward:  cutover.Readiness{Samples: 5000, UpperBound: 0.0006, Ready: true},
		Reverse:  cutover.Readiness{Samples: 5000, UpperBound: 0.0006},
		Postgres: served,
		DynamoDB: served,
	}, nil
}

func ExampleNew() {
	dir, _ := os.MkdirTemp("", "cutover")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "flags.json")
	_ = os.WriteFile(path, []byte(`{"flags": {}}`), 0o644)
	file := cutover.NewFlagFile(path)

	// In production: cutover.NewLocal(otel) or the Prometheus source, and a
	// cutover.NewPostgresLease; Run instead of Tick.
	c := cutover.New([]string{"/products/{id}"}, evidence{}, file, cutover.SoleController(),
		cutover.WithHold(0), cutover.WithLogger(slog.New(slog.DiscardHandler)))
	for range 3 {
		_ = c.Tick(context.Background())
	}
	shares, _ := file.Shares(context.Background(), []string{"/products/{id}"})
	fmt.Println(c.Plan(), shares["/products/{id}"])
	// Output: [1 5 25 50 100] 25
}
