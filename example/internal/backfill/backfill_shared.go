package backfill

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"

	"github.com/shadowread/shadowread/example/internal/catalog"

	"github.com/jackc/pgx/v5"
	"golang.org/x/sync/errgroup"

	"github.com/shadowread/shadowread/backends/postgres"
)

// RunShared is [Run] for any number of processes at once: the key
// ranges are units in PostgreSQL (the backfill_units table), leased one at
// a time with FOR UPDATE SKIP LOCKED, so each range is copied by one
// process; a process that stops gives its ranges back, one that crashes
// loses them when their lease (lease) runs out. Every process plans the
// ranges up to the current largest ids (new rows get new ranges at the
// end), so the processes must agree on the range size. It returns when no
// range is left, with what this process copied; [WithConcurrency] bounds
// its ranges in flight and its PostgreSQL reads, [WithRestart] copies every
// range again, [WithProgress] reports after each range with the totals of
// every process.
func RunShared(ctx context.Context, pg *catalog.PostgresStore, ddb *catalog.DynamoDBStore, lease time.Duration, opts ...Option) (Stats, error) {
	if lease <= 0 {
		panic("backfill: RunShared: the lease must be positive, such as 30*time.Second")
	}
	cfg := config{
		rangeSize: DefaultRangeSize, writers: DefaultWriteConcurrency, readers: DefaultReadConcurrency,
		onProgress: func(Progress) {}, now: time.Now,
	}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if err := planBackfill(ctx, pg, cfg.rangeSize, cfg.restart); err != nil {
		return nil, err
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	worker := hex.EncodeToString(b[:])
	defer func() { _ = releaseBackfill(context.WithoutCancel(ctx), pg, worker) }()

	start := cfg.now()
	t := &rangeTracker{done: map[int64]bool{}}
	mine := Stats{}
	g, gctx := errgroup.WithContext(ctx)
	reads := make(chan struct{}, cfg.readers)
	for range cfg.writers {
		g.Go(func() error {
			for {
				e, lo, hi, ok, err := leaseBackfill(gctx, pg, worker, lease)
				if err != nil || !ok {
					return err
				}
				reads <- struct{}{}
				rows, err := catalog.Copier{PG: pg, DDB: ddb}.ReadRange(gctx, e, lo, hi)
				<-reads
				if err != nil {
					return err
				}
				res, err := catalog.Copier{PG: pg, DDB: ddb}.WriteRows(gctx, rows)
				if err != nil {
					return err
				}
				if err := finishBackfill(gctx, pg, e, lo, rows.Len(), res); err != nil {
					return err
				}
				t.mu.Lock()
				p := mine[e]
				p.Entity = e
				p.Rows += int64(rows.Len())
				p.Written += int64(res.Written)
				p.Skipped += int64(res.Skipped)
				mine[e] = p
				t.mu.Unlock()
				total, err := backfillTotals(gctx, pg, e)
				if err != nil {
					return err
				}
				total.Elapsed = cfg.now().Sub(start)
				t.reportMu.Lock()
				cfg.onProgress(total)
				t.reportMu.Unlock()
			}
		})
	}
	err := g.Wait()
	if err == nil {
		err = ctx.Err()
	}
	for e, p := range mine {
		p.Elapsed = cfg.now().Sub(start)
		mine[e] = p
	}
	return mine, err
}

// planBackfill adds the ranges up to the largest ids, or starts over.
func planBackfill(ctx context.Context, s *catalog.PostgresStore, size int64, restart bool) error {
	err := pgx.BeginFunc(ctx, s.Pool(), func(tx pgx.Tx) error {
		if restart {
			if _, err := tx.Exec(ctx, `UPDATE backfill_units SET done = false, leased_by = NULL, lease_until = NULL,
	rows_read = 0, written = 0, skipped = 0`); err != nil {
				return err
			}
		}
		for _, e := range catalog.Entities() {
			table, err := catalog.TableOf(e)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO backfill_units (entity, lo, hi)
SELECT $1, lo, lo + $2 FROM generate_series(
	coalesce((SELECT max(hi) FROM backfill_units WHERE entity = $1), 1),
	(SELECT coalesce(max(id), 0) FROM `+table+`), $2) AS lo
ON CONFLICT DO NOTHING`, string(e), size); err != nil {
				return err
			}
		}
		return nil
	})
	return postgres.MapError(err)
}

// leaseBackfill takes the next free range, entities in backfill order: found
// and locked first, then leased by its key, in one transaction.
func leaseBackfill(ctx context.Context, s *catalog.PostgresStore, worker string, d time.Duration) (e catalog.Entity, lo, hi int64, ok bool, err error) {
	err = pgx.BeginFunc(ctx, s.Pool(), func(tx pgx.Tx) error {
		var entity string
		err := tx.QueryRow(ctx, `SELECT entity, lo, hi FROM backfill_units
WHERE NOT done AND (lease_until IS NULL OR lease_until < now())
ORDER BY array_position(ARRAY['customer', 'product', 'order'], entity), lo LIMIT 1 FOR UPDATE SKIP LOCKED`).Scan(&entity, &lo, &hi)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		e, ok = catalog.Entity(entity), true
		_, err = tx.Exec(ctx, `UPDATE backfill_units SET leased_by = $3, lease_until = now() + $4 * interval '1 microsecond'
WHERE entity = $1 AND lo = $2`, entity, lo, worker, d.Microseconds())
		return err
	})
	return e, lo, hi, ok && err == nil, postgres.MapError(err)
}

func finishBackfill(ctx context.Context, s *catalog.PostgresStore, e catalog.Entity, lo int64, rows int, res catalog.PutResult) error {
	_, err := s.Pool().Exec(ctx, `UPDATE backfill_units SET done = true, lease_until = NULL, rows_read = $3, written = $4, skipped = $5
WHERE entity = $1 AND lo = $2`, string(e), lo, rows, res.Written, res.Skipped)
	return postgres.MapError(err)
}

func releaseBackfill(ctx context.Context, s *catalog.PostgresStore, worker string) error {
	_, err := s.Pool().Exec(ctx, `UPDATE backfill_units SET leased_by = NULL, lease_until = NULL WHERE leased_by = $1 AND NOT done`, worker)
	return postgres.MapError(err)
}

// backfillTotals is the progress of an entity over every process.
func backfillTotals(ctx context.Context, s *catalog.PostgresStore, e catalog.Entity) (Progress, error) {
	p := Progress{Entity: e}
	table, err := catalog.TableOf(e)
	if err != nil {
		return p, err
	}
	err = s.Pool().QueryRow(ctx, `SELECT coalesce(sum(rows_read), 0), coalesce(sum(written), 0), coalesce(sum(skipped), 0),
	coalesce((SELECT min(lo) FROM backfill_units WHERE entity = $1 AND NOT done), (SELECT coalesce(max(hi), 1) FROM backfill_units WHERE entity = $1)),
	(SELECT count(*) FROM `+table+`)
FROM backfill_units WHERE entity = $1`, string(e)).Scan(&p.Rows, &p.Written, &p.Skipped, &p.Checkpoint, &p.TotalRows)
	return p, postgres.MapError(err)
}
