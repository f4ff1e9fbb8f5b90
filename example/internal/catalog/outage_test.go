package catalog_test

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/example/internal/catalog"
	"github.com/shadowread/shadowread/example/internal/catalogtest"
	"github.com/shadowread/shadowread/internal/testenv"
)

// TestReadsAnswerWithinTheDeadlineWhileDynamoDBStalls: with DynamoDB frozen
// (SIGSTOP), a user's read routed to it answers 503 naming the store once
// the read deadline passes, and a read routed to PostgreSQL is served.
func TestReadsAnswerWithinTheDeadlineWhileDynamoDBStalls(t *testing.T) {
	dynalite := testenv.StartDynalite(t)
	e := catalogtest.NewEnv(t, dynalite.Endpoint())
	e.SeedSmall(t)
	e.Backfill(t)
	h := catalog.NewRouter(e.Stores, nil, catalog.WithReadTimeout(300*time.Millisecond),
		catalog.WithLogger(slog.New(slog.DiscardHandler)))

	resume := catalogtest.Stall(t, dynalite.Endpoint())
	tests := []struct {
		store      backends.Name
		path       string
		wantStatus int
		wantBody   string
		reason     string
	}{
		{backends.DynamoDB, "/products/2", http.StatusServiceUnavailable, "dynamodb did not answer in time", "the stalled store fails fast and says which it is"},
		{backends.DynamoDB, "/customers/2/orders", http.StatusServiceUnavailable, "dynamodb did not answer in time", "a query as well as a get"},
		{backends.Postgres, "/products/2", http.StatusOK, `"id":2`, "the healthy store serves on"},
	}
	for _, tt := range tests {
		t.Run(string(tt.store)+tt.path, func(t *testing.T) {
			status, body := catalogtest.FromStore(t, h, tt.store, tt.path)
			if status != tt.wantStatus || !strings.Contains(string(body), tt.wantBody) {
				t.Errorf("status %d, body %s; want %d with %q (%s)", status, body, tt.wantStatus, tt.wantBody, tt.reason)
			}
		})
	}
	resume()
	if status, _ := catalogtest.FromStore(t, h, backends.DynamoDB, "/products/2"); status != http.StatusOK {
		t.Errorf("after the stall: status %d, want 200", status)
	}
}
