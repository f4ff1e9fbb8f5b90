package dualwrite_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/example/internal/catalog"
	"github.com/shadowread/shadowread/example/internal/catalogtest"
	"github.com/shadowread/shadowread/example/internal/dualwrite"
	"github.com/shadowread/shadowread/example/internal/repair"
	"github.com/shadowread/shadowread/internal/testenv"
)

// TestFailedCopyOutlivesARepairRound: with DynamoDB the source of truth, a
// write's intent may be replayed by a repair round while the write is still
// changing DynamoDB, so the round copies a state the write had not finished
// and removes the intent. When the write's own copy to PostgreSQL then
// fails, recording the failure puts the entry back, and the next round
// copies the finished state: the stores end equal.
func TestFailedCopyOutlivesARepairRound(t *testing.T) {
	ctx := context.Background()
	e := catalogtest.NewEnv(t, testenv.DynamoDBEndpoint(t))
	e.SeedSmall(t)
	e.Backfill(t)
	// The finished write, in DynamoDB only: its copy to PostgreSQL failed.
	w := dualwrite.New(e.PG, e.DDB, dualwrite.WithWriteModes(dualwrite.FixedWriteMode(dualwrite.WriteDynamoDB)),
		dualwrite.WithLogger(slog.New(slog.DiscardHandler)))
	if _, err := w.SetPrice(ctx, 2, "P2", "14.00"); err != nil {
		t.Fatal(err)
	}
	logs := dualwrite.NewRepairLogs(e.PG, e.DDB)
	// Its intent, already removed by the round that replayed it early.
	intent := dualwrite.PostgresEntry{SK: "00000000000000000001#product#2#00000000", Entity: catalog.EntityProduct, ID: 2,
		CreatedAt: time.Now().UTC().Truncate(time.Millisecond)}
	if err := logs.KeepInPostgresOutbox(ctx, intent, errors.New("postgres: copy timed out")); err != nil {
		t.Fatalf("recording the failed copy of an entry a repair round removed: %v", err)
	}
	entries, err := logs.PostgresRepairLog(ctx, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].SK != intent.SK || entries[0].Entity != intent.Entity || entries[0].ID != intent.ID {
		t.Fatalf("PostgreSQL's repair log holds %+v, want the entry put back: %+v", entries, intent)
	}
	if _, err := repair.ReplayPostgres(ctx, e.PG, e.DDB); err != nil {
		t.Fatal(err)
	}
	h := catalog.NewRouter(e.Stores, nil)
	_, inPostgres := catalogtest.FromStore(t, h, backends.Postgres, "/products/2")
	_, inDynamoDB := catalogtest.FromStore(t, h, backends.DynamoDB, "/products/2")
	if !catalogtest.EqualJSON(t, inPostgres, inDynamoDB) {
		t.Errorf("product 2 differs after the next round:\npostgres %s\ndynamodb %s", inPostgres, inDynamoDB)
	}
}
