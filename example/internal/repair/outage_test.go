package repair_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/example/internal/catalog"
	"github.com/shadowread/shadowread/example/internal/catalogtest"
	"github.com/shadowread/shadowread/example/internal/dualwrite"
	"github.com/shadowread/shadowread/example/internal/repair"
	"github.com/shadowread/shadowread/internal/testenv"
)

// stallWriteService is writeService with a short budget for the second
// store and a breaker that opens after two failures and stays open.
func stallWriteService(t *testing.T, e *catalogtest.Env) (string, *dualwrite.Writer, *sdkmetric.ManualReader) {
	t.Helper()
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	w := dualwrite.New(e.PG, e.DDB, dualwrite.WithSecondWriteBudget(200*time.Millisecond),
		dualwrite.WithBreaker(2, time.Hour),
		dualwrite.WithMeterProvider(mp), dualwrite.WithLogger(slog.New(slog.DiscardHandler)))
	h := catalog.NewRouter(e.Stores, nil, catalog.WithWriteRoutes(w.Mount), catalog.WithMeterProvider(mp),
		catalog.WithLogger(slog.New(slog.DiscardHandler)))
	return catalogtest.Serve(t, h).URL, w, reader
}

// TestWritesDuringADynamoDBStall: with DynamoDB frozen, writes succeed for
// the user; the first two wait out the budget and record the failed attempt
// in the repair log, though the attempt's own context is spent; then the
// breaker opens and the rest are not attempted. After DynamoDB returns the
// repair worker copies every write.
func TestWritesDuringADynamoDBStall(t *testing.T) {
	dynalite := testenv.StartDynalite(t)
	e := catalogtest.NewEnv(t, dynalite.Endpoint())
	e.SeedSmall(t)
	e.Backfill(t)
	url, w, reader := stallWriteService(t, e)

	resume := catalogtest.Stall(t, dynalite.Endpoint())
	orderIDs := catalogtest.Writes(t, url) // each must answer: writes fails the test otherwise

	entries, err := dualwrite.NewRepairLogs(e.PG, e.DDB).RepairLog(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 5 {
		t.Fatalf("repair log holds %d rows after 5 writes, want 5", len(entries))
	}
	for i, entry := range entries {
		attempted := i < 2
		if attempted && (entry.Attempts != 1 || !strings.Contains(entry.LastError, "deadline exceeded")) {
			t.Errorf("row %d: attempts %d, last error %q; want the timed-out attempt recorded", i, entry.Attempts, entry.LastError)
		}
		if !attempted && entry.Attempts != 0 {
			t.Errorf("row %d: attempts %d, want 0: the open breaker lets no write through", i, entry.Attempts)
		}
	}
	if !w.BreakerOpen(backends.DynamoDB) || w.BreakerOpen(backends.Postgres) {
		t.Errorf("breaker open: dynamodb %v, postgres %v; want only DynamoDB's", w.BreakerOpen(backends.DynamoDB), w.BreakerOpen(backends.Postgres))
	}
	if got := catalogtest.Gauge(t, reader, "catalog.breaker.state", backends.DynamoDB); got != 2 {
		t.Errorf("catalog.breaker.state{store=dynamodb} = %v, want 2 (open)", got)
	}
	if got := catalogtest.SumCounter(t, reader, "catalog.dualwrite.failures"); got != 5 {
		t.Errorf("catalog.dualwrite.failures = %d, want 5: two timed out, three skipped", got)
	}

	resume()
	startWorker(t, e, dualwrite.FixedWriteMode(dualwrite.WriteBoth), nil)
	catalogtest.WaitFor(t, "the worker to drain the log", func() bool { return catalogtest.RepairLogSize(t, e) == 0 })
	catalogtest.AssertSame(t, e, orderIDs)
}

// TestRepairWorkerCatchesUpWhenDynamoDBReturns: with a back-off far longer
// than the test, the worker still drains the log as soon as DynamoDB
// answers again, because it asks the stores every interval while it backs
// off.
func TestRepairWorkerCatchesUpWhenDynamoDBReturns(t *testing.T) {
	dynalite := testenv.StartDynalite(t)
	e := catalogtest.NewEnv(t, dynalite.Endpoint())
	e.SeedSmall(t)
	e.Backfill(t)
	url, _ := catalogtest.WriteService(t, e)
	w := repair.StartWorker(e.PG, e.DDB, repair.WithInterval(20*time.Millisecond),
		repair.WithMaxBackoff(time.Hour), repair.WithLogger(slog.New(slog.DiscardHandler)))
	t.Cleanup(func() {
		if err := w.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})

	dynalite.Stop()
	orderIDs := catalogtest.Writes(t, url)
	catalogtest.WaitFor(t, "a back-off of several seconds", func() bool { return w.Stats().Backoff >= 5*time.Second })
	dynalite.Start()
	catalogtest.WaitFor(t, "the worker to drain the log", func() bool { return catalogtest.RepairLogSize(t, e) == 0 })
	if s := w.Stats(); s.CaughtUp == 0 {
		t.Errorf("stats %+v: want a back-off ended early", s)
	}
	catalogtest.AssertSame(t, e, orderIDs)
}
