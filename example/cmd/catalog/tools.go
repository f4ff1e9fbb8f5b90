package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/shadowread/shadowread/backends/dynamodb"
	"github.com/shadowread/shadowread/backends/postgres"
	"github.com/shadowread/shadowread/example/internal/backfill"
	"github.com/shadowread/shadowread/example/internal/catalog"
	"github.com/shadowread/shadowread/example/internal/demo"
	"github.com/shadowread/shadowread/example/internal/repair"
)

// openStores opens both stores for a tool, creating the schema and the
// table if missing.
func openStores(ctx context.Context, st *stores) (*catalog.PostgresStore, *catalog.DynamoDBStore, func(), error) {
	if err := st.check(); err != nil {
		return nil, nil, nil, err
	}
	pool, err := postgres.Open(ctx, st.pg)
	if err != nil {
		return nil, nil, nil, err
	}
	opts := []dynamodb.Option{dynamodb.WithMaxAttempts(5)} // tools can wait out throttling
	if st.dynamodb != "" {
		opts = append(opts, dynamodb.WithEndpoint(st.dynamodb))
	} else if cfg, err := loadAWSConfig(ctx); err != nil {
		pool.Close()
		return nil, nil, nil, err
	} else {
		opts = append(opts, dynamodb.WithConfig(cfg))
	}
	client, err := dynamodb.New(ctx, opts...)
	if err != nil {
		pool.Close()
		return nil, nil, nil, err
	}
	closeAll := func() { client.Close(); pool.Close() }
	pg, ddb := catalog.NewPostgresStore(pool), catalog.NewDynamoDBStore(client.Client, st.table)
	if err := pg.Migrate(ctx); err != nil {
		closeAll()
		return nil, nil, nil, err
	}
	if err := ddb.CreateTable(ctx); err != nil {
		closeAll()
		return nil, nil, nil, err
	}
	return pg, ddb, closeAll, nil
}

func seed(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	st := storeFlags(fs)
	d := demo.DefaultConfig().Dataset
	fs.IntVar(&d.Customers, "customers", d.Customers, "customers")
	fs.IntVar(&d.Products, "products", d.Products, "products")
	fs.IntVar(&d.Orders, "orders", d.Orders, "orders")
	fs.Uint64Var(&d.Seed, "seed", d.Seed, "random seed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	pg, _, closeAll, err := openStores(ctx, st)
	if err != nil {
		return err
	}
	defer closeAll()
	start := time.Now()
	s, err := demo.Seed(ctx, pg.Pool(), d, time.Now())
	if err != nil {
		return err
	}
	fmt.Printf("seeded %s customers, %s products (%s variants), %s orders (%s lines) in %s\n",
		demo.Count(s.Customers), demo.Count(s.Products), demo.Count(s.Variants), demo.Count(s.Orders), demo.Count(s.Lines),
		demo.Seconds(time.Since(start)))
	return nil
}

func runBackfill(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("backfill", flag.ContinueOnError)
	st := storeFlags(fs)
	restart := fs.Bool("restart", false, "ignore the checkpoints and copy everything again (safe: nothing newer is overwritten)")
	writers := fs.Int("concurrency", backfill.DefaultWriteConcurrency, "ranges copied at once")
	readers := fs.Int("readers", backfill.DefaultReadConcurrency, "ranges read from PostgreSQL at once")
	size := fs.Int("range", backfill.DefaultRangeSize, "ids per range")
	shared := fs.Bool("shared", false, "lease ranges through PostgreSQL, so that any number of processes share the backfill (all with the same -range)")
	lease := fs.Duration("lease", 30*time.Second, "with -shared: how long a range stays with a process that stopped answering")
	if err := fs.Parse(args); err != nil {
		return err
	}
	pg, ddb, closeAll, err := openStores(ctx, st)
	if err != nil {
		return err
	}
	defer closeAll()
	total, err := remainingRows(ctx, pg, *restart)
	if err != nil {
		return err
	}
	out := demo.NewPrinter(os.Stdout)
	opts := []backfill.Option{backfill.WithConcurrency(*writers, *readers), backfill.WithRangeSize(*size),
		backfill.WithProgress(demo.BackfillProgress(out, total))}
	if *restart {
		opts = append(opts, backfill.WithRestart())
	}
	start := time.Now()
	var stats backfill.Stats
	if *shared {
		stats, err = backfill.RunShared(ctx, pg, ddb, *lease, opts...)
	} else {
		stats, err = backfill.Run(ctx, pg, ddb, opts...)
	}
	out.Done()
	for _, e := range catalog.Entities() {
		p := stats[e]
		fmt.Printf("%-8s %s rows, %s items written, %s already as fresh; checkpoint %d\n",
			e, demo.Count(p.Rows), demo.Count(p.Written), demo.Count(p.Skipped), p.Checkpoint)
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("interrupted after %s; run it again to resume", demo.Seconds(time.Since(start)))
	}
	return err
}

// remainingRows is the backfill's work, for its progress bar.
func remainingRows(ctx context.Context, pg *catalog.PostgresStore, restart bool) (int64, error) {
	var n int64
	err := pg.Pool().QueryRow(ctx, `SELECT
	(SELECT count(*) FROM customers WHERE $1 OR id >= coalesce((SELECT next_id FROM backfill_checkpoints WHERE entity = 'customer'), 1)) +
	(SELECT count(*) FROM products WHERE $1 OR id >= coalesce((SELECT next_id FROM backfill_checkpoints WHERE entity = 'product'), 1)) +
	(SELECT count(*) FROM orders WHERE $1 OR id >= coalesce((SELECT next_id FROM backfill_checkpoints WHERE entity = 'order'), 1))`,
		restart).Scan(&n)
	return n, err
}

func runRepair(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("repair", flag.ContinueOnError)
	st := storeFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	pg, ddb, closeAll, err := openStores(ctx, st)
	if err != nil {
		return err
	}
	defer closeAll()
	s, err := repair.Replay(ctx, pg, ddb)
	fmt.Printf("DynamoDB's repair log: %s entries replayed, %s repaired, %s failed again and kept; %s items written, %s already as fresh\n",
		demo.Count(s.Entries), demo.Count(s.Repaired), demo.Count(s.Failed), demo.Count(s.Written), demo.Count(s.Skipped))
	if err == nil {
		var p repair.Stats
		p, err = repair.ReplayPostgres(ctx, pg, ddb)
		fmt.Printf("PostgreSQL's repair log (write mode dynamodb-first): %s entries replayed, %s repaired, %s failed again and kept\n",
			demo.Count(p.Entries), demo.Count(p.Repaired), demo.Count(p.Failed))
		s.Failed += p.Failed
	}
	if err == nil && s.Failed > 0 {
		fmt.Fprintln(os.Stderr, "some entries failed again; run repair once both stores are reachable")
		return errFailed
	}
	return err
}
