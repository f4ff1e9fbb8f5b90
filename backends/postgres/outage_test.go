package postgres_test

import (
	"context"
	"errors"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/shadowread/shadowread/backends/postgres"
	"github.com/shadowread/shadowread/internal/testenv"
)

// TestQueryTimeoutBoundsEveryCall: a statement the server does not finish
// within the timeout fails with context.DeadlineExceeded, on the pool and
// inside a transaction, and the pool serves the next call.
func TestQueryTimeoutBoundsEveryCall(t *testing.T) {
	db := openTraced(t, postgres.WithQueryTimeout(300*time.Millisecond))
	ctx := t.Context()
	tests := []struct {
		name   string
		call   func() error
		reason string
	}{
		{"pool query", func() error {
			_, err := db.pool.Exec(ctx, `SELECT pg_sleep(30)`)
			return err
		}, "a statement on the pool"},
		{"query row", func() error {
			var v string
			return db.pool.QueryRow(ctx, `SELECT pg_sleep(30)::text`).Scan(&v)
		}, "rows are bounded until they are read"},
		{"transaction", func() error {
			tx, err := db.pool.Begin(ctx)
			if err != nil {
				return err
			}
			defer tx.Rollback(context.WithoutCancel(ctx))
			_, err = tx.Exec(ctx, `SELECT pg_sleep(30)`)
			return err
		}, "each statement of a transaction"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("err = %v, want context.DeadlineExceeded (%s)", err, tt.reason)
			}
			// The timed-out connection is closed; a new one may take more
			// than the short timeout to open on a loaded machine.
			var err error
			for range 10 {
				if _, err = db.pool.Exec(ctx, `SELECT 1`); err == nil {
					break
				}
			}
			if err != nil {
				t.Errorf("the pool serves no call after the timeout: %v", err)
			}
		})
	}
}

// TestNoRedialPerRequestWhileDown: while PostgreSQL is stopped, requests
// fail without dialing it again, and once it is back the pool reconnects.
func TestNoRedialPerRequestWhileDown(t *testing.T) {
	server := testenv.StartPostgres(t)
	var dials atomic.Int64
	countDials := postgres.WithConfig(func(c *pgxpool.Config) {
		dial := c.ConnConfig.DialFunc
		c.ConnConfig.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
			dials.Add(1)
			return dial(ctx, network, addr)
		}
	})
	pool, err := postgres.Open(t.Context(), server.URL(), countDials, postgres.WithDialBackoff(time.Hour, time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()

	server.Stop()
	before := dials.Load()
	const requests = 50
	for range requests {
		if _, err := pool.Exec(t.Context(), `SELECT 1`); err == nil {
			t.Fatal("a query succeeded while the server is stopped")
		}
	}
	if n := dials.Load() - before; n > 1 {
		t.Errorf("%d dials for %d requests while the server is down; want at most 1, then none during the back-off", n, requests)
	}
}

// TestPoolReconnectsAfterTheBackoff: the back-off delays reconnection, it
// does not prevent it.
func TestPoolReconnectsAfterTheBackoff(t *testing.T) {
	server := testenv.StartPostgres(t)
	pool, err := postgres.Open(t.Context(), server.URL(), postgres.WithDialBackoff(10*time.Millisecond, 50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	server.Stop()
	for range 5 {
		_, _ = pool.Exec(t.Context(), `SELECT 1`)
	}
	server.Start()
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := pool.Exec(t.Context(), `SELECT 1`)
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no reconnection after the restart: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
