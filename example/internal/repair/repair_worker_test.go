package repair_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/example/internal/catalogtest"
	"github.com/shadowread/shadowread/example/internal/dualwrite"
	"github.com/shadowread/shadowread/example/internal/repair"
	"github.com/shadowread/shadowread/internal/testenv"
)

// startWorker starts a repair worker with short pauses, closed when the
// test ends.
func startWorker(t *testing.T, e *catalogtest.Env, mode dualwrite.WriteModeSource, mp *sdkmetric.MeterProvider) *repair.Worker {
	t.Helper()
	opts := []repair.Option{
		repair.WithInterval(20 * time.Millisecond), repair.WithMaxBackoff(200 * time.Millisecond),
		repair.WithWriteModes(mode), repair.WithLogger(slog.New(slog.DiscardHandler)),
	}
	if mp != nil {
		opts = append(opts, repair.WithMeterProvider(mp))
	}
	w := repair.StartWorker(e.PG, e.DDB, opts...)
	t.Cleanup(func() {
		if err := w.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return w
}

// TestRepairWorkerDynamoDBOutage writes in mode both while DynamoDB is
// down: the worker backs off, its gauges show the waiting entries, and
// once DynamoDB is back a worker started afresh (as after a restart of the
// service) drains the log within seconds; no write is lost.
func TestRepairWorkerDynamoDBOutage(t *testing.T) {
	dynalite := testenv.StartDynalite(t)
	e := catalogtest.NewEnv(t, dynalite.Endpoint())
	e.SeedSmall(t)
	e.Backfill(t)
	url, _ := catalogtest.WriteService(t, e)
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	both := dualwrite.FixedWriteMode(dualwrite.WriteBoth)

	first := startWorker(t, e, both, mp)
	dynalite.Stop()
	orderIDs := catalogtest.Writes(t, url)
	catalogtest.WaitFor(t, "the worker to fail on the 5 entries", func() bool {
		s := first.Stats()
		return s.Depth[backends.DynamoDB] == 5 && s.FailedRounds >= 2
	})
	if s := first.Stats(); s.Backoff <= 20*time.Millisecond || s.Repaired != 0 {
		t.Errorf("while DynamoDB is down: backoff %v, repaired %d; want a pause above the 20ms interval and nothing repaired", s.Backoff, s.Repaired)
	}
	if d := catalogtest.Gauge(t, reader, "catalog.outbox.depth", backends.DynamoDB); d != 5 {
		t.Errorf("catalog.outbox.depth{store=dynamodb} = %v, want 5", d)
	}
	if a := catalogtest.Gauge(t, reader, "catalog.outbox.oldest_age", backends.DynamoDB); a <= 0 {
		t.Errorf("catalog.outbox.oldest_age{store=dynamodb} = %v, want above 0", a)
	}
	if err := first.Close(context.Background()); err != nil {
		t.Fatal(err)
	}

	dynalite.Start()
	second := startWorker(t, e, both, mp)
	catalogtest.WaitFor(t, "the restarted worker to drain the log", func() bool {
		s := second.Stats()
		return s.Rounds > 0 && s.Depth[backends.DynamoDB] == 0 && catalogtest.RepairLogSize(t, e) == 0
	})
	if d := catalogtest.Gauge(t, reader, "catalog.outbox.depth", backends.DynamoDB); d != 0 {
		t.Errorf("catalog.outbox.depth{store=dynamodb} = %v after the repair, want 0", d)
	}
	if a := catalogtest.Gauge(t, reader, "catalog.outbox.oldest_age", backends.DynamoDB); a != 0 {
		t.Errorf("catalog.outbox.oldest_age{store=dynamodb} = %v after the repair, want 0", a)
	}
	catalogtest.AssertSame(t, e, orderIDs)
}

// TestRepairWorkerPostgresOutage writes in mode dynamodb-first while
// PostgreSQL is down: the writes succeed on DynamoDB, their intents wait in
// PostgreSQL's repair log (in DynamoDB), and the worker copies them once
// PostgreSQL is back, so a rollback of reads to PostgreSQL loses nothing.
func TestRepairWorkerPostgresOutage(t *testing.T) {
	server := testenv.StartPostgres(t)
	e := catalogtest.NewEnvOn(t, server.URL(), testenv.DynamoDBEndpoint(t))
	e.SeedSmall(t)
	e.Backfill(t)
	first := dualwrite.FixedWriteMode(dualwrite.WriteDynamoDBFirst)
	url := catalogtest.ModeService(t, e, first)
	w := startWorker(t, e, first, nil)

	server.Stop()
	o := catalogtest.PlaceAndReprice(t, url, "15.50")
	catalogtest.WaitFor(t, "the worker to see the 2 intents", func() bool {
		s := w.Stats()
		return s.Depth[backends.Postgres] == 2 && s.FailedRounds > 0
	})
	server.Start()
	catalogtest.WaitFor(t, "the worker to drain PostgreSQL's log", func() bool {
		n, _, err := dualwrite.NewRepairLogs(e.PG, e.DDB).PostgresRepairLogSize(context.Background())
		return err == nil && n == 0 && w.Stats().Depth[backends.Postgres] == 0
	})
	if hasOrder, price := catalogtest.Stored(t, e, backends.Postgres, o.ID); !hasOrder || price != "15.50" {
		t.Errorf("PostgreSQL after the repair: order %d there %v, price %s; want both writes", o.ID, hasOrder, price)
	}
	catalogtest.AssertSame(t, e, []int64{o.ID})
}

// TestRepairWorkerIdleOutsideDualModes: in modes that write one store the
// worker copies nothing, though entries wait.
func TestRepairWorkerIdleOutsideDualModes(t *testing.T) {
	e := catalogtest.NewEnv(t, testenv.DynamoDBEndpoint(t))
	e.SeedSmall(t)
	e.Backfill(t)
	e.Exec(t, `INSERT INTO dynamodb_outbox (entity, entity_id) VALUES ('product', 1)`)
	tests := []struct {
		mode   dualwrite.WriteMode
		reason string
	}{
		{dualwrite.WritePostgres, "DynamoDB is not written yet"},
		{dualwrite.WriteDynamoDB, "PostgreSQL, which holds the log, may be gone"},
	}
	for _, tt := range tests {
		t.Run(string(tt.mode), func(t *testing.T) {
			w := startWorker(t, e, dualwrite.FixedWriteMode(tt.mode), nil)
			catalogtest.WaitFor(t, "a few rounds", func() bool { return w.Stats().Backoff > 0 })
			if err := w.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
			if s := w.Stats(); s.Repaired != 0 || catalogtest.RepairLogSize(t, e) != 1 {
				t.Errorf("repaired %d, log %d; want the entry left alone (%s)", s.Repaired, catalogtest.RepairLogSize(t, e), tt.reason)
			}
		})
	}
}
