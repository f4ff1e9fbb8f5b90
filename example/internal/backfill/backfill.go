package backfill

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/shadowread/shadowread/example/internal/catalog"

	"golang.org/x/sync/errgroup"

	"github.com/shadowread/shadowread/backends/postgres"
)

// Run defaults.
const (
	DefaultRangeSize        = 200
	DefaultWriteConcurrency = 8
	DefaultReadConcurrency  = 2
)

// Progress is a snapshot of a running backfill, passed to the
// function of [WithProgress] after every key range.
type Progress struct {
	Entity catalog.Entity
	// Rows of the entity read so far in this run, out of TotalRows still to
	// copy when it started (rows below the checkpoint are not counted).
	Rows, TotalRows int64
	// Written and Skipped count DynamoDB items of the entity so far.
	Written, Skipped int64
	// Checkpoint is the id below which every row is copied.
	Checkpoint int64
	Elapsed    time.Duration
}

// Stats is what a backfill did, per entity.
type Stats map[catalog.Entity]Progress

// Option configures [Run].
type Option func(*config)

type config struct {
	rangeSize  int64
	writers    int
	readers    int
	restart    bool
	onProgress func(Progress)
	now        func() time.Time
}

// WithRangeSize sets how many ids one read of PostgreSQL covers (default
// [DefaultRangeSize]).
func WithRangeSize(n int) Option {
	if n < 1 {
		panic(fmt.Sprintf("backfill: WithRangeSize(%d): a range holds at least one id", n))
	}
	return func(c *config) { c.rangeSize = int64(n) }
}

// WithConcurrency sets how many ranges are copied at once (default
// [DefaultWriteConcurrency]) and, of those, how many may read PostgreSQL at
// once (default [DefaultReadConcurrency]): the bound that protects the
// primary while it serves users.
func WithConcurrency(writers, readers int) Option {
	if writers < 1 || readers < 1 || readers > writers {
		panic(fmt.Sprintf("backfill: WithConcurrency(%d, %d): need 1 <= readers <= writers", writers, readers))
	}
	return func(c *config) { c.writers, c.readers = writers, readers }
}

// WithRestart ignores the checkpoints and copies everything again.
// Conditional writes make that safe: nothing fresher is overwritten.
func WithRestart() Option { return func(c *config) { c.restart = true } }

// WithProgress calls fn after every range, from the backfill's goroutines
// but never concurrently. fn must return quickly.
func WithProgress(fn func(Progress)) Option {
	if fn == nil {
		panic("backfill: WithProgress(nil): pass a function, or leave the option out")
	}
	return func(c *config) { c.onProgress = fn }
}

// Run copies the history that predates the dual write from
// PostgreSQL to DynamoDB: customers, products, then orders, in ranges of
// ids.
//
// It reads at most the configured number of ranges from PostgreSQL at a
// time, so the primary keeps serving users, and writes each item only if
// DynamoDB has no fresher version of it (the conditional write on
// updated_at), so a row read before a dual write changed it never
// overwrites the newer item. It records a checkpoint per entity in
// PostgreSQL (the backfill_checkpoints table) after each range and resumes
// from it: an interrupted backfill copies at most the ranges that were in
// flight again, which the conditional writes make harmless. Rows created
// after it starts are the dual write's.
func Run(ctx context.Context, pg *catalog.PostgresStore, ddb *catalog.DynamoDBStore, opts ...Option) (Stats, error) {
	cfg := config{
		rangeSize: DefaultRangeSize, writers: DefaultWriteConcurrency, readers: DefaultReadConcurrency,
		onProgress: func(Progress) {}, now: time.Now,
	}
	for _, o := range opts {
		o(&cfg)
	}
	stats := Stats{}
	for _, e := range catalog.Entities() {
		p, err := backfillEntity(ctx, catalog.Copier{PG: pg, DDB: ddb}, e, cfg)
		stats[e] = p
		if err != nil {
			return stats, err
		}
	}
	return stats, nil
}

// backfillEntity copies one entity's rows from its checkpoint on.
func backfillEntity(ctx context.Context, c catalog.Copier, e catalog.Entity, cfg config) (Progress, error) {
	start := cfg.now()
	first := int64(1)
	if !cfg.restart {
		cp, err := checkpoint(ctx, c.PG, e)
		if err != nil {
			return Progress{Entity: e}, err
		}
		first = max(first, cp)
	}
	last, total, err := c.PG.IDSpan(ctx, e, first)
	if err != nil {
		return Progress{Entity: e}, err
	}
	t := &rangeTracker{
		progress: Progress{Entity: e, TotalRows: total, Checkpoint: first},
		next:     first, end: last + 1, size: cfg.rangeSize, done: map[int64]bool{},
	}
	if first > last {
		return t.progress, nil
	}

	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(cfg.writers)
	reads := make(chan struct{}, cfg.readers)
	for lo := first; lo <= last; lo += cfg.rangeSize {
		if gctx.Err() != nil {
			break
		}
		hi := min(lo+cfg.rangeSize, last+1)
		g.Go(func() error {
			reads <- struct{}{}
			rows, err := c.ReadRange(gctx, e, lo, hi)
			<-reads
			if err != nil {
				return err
			}
			res, err := c.WriteRows(gctx, rows)
			if err != nil {
				return err
			}
			if err := saveCheckpoint(gctx, c.PG, e, t.complete(lo, int64(rows.Len()), res)); err != nil {
				return err
			}
			t.report(cfg.onProgress, cfg.now().Sub(start))
			return nil
		})
	}
	err = g.Wait()
	if err == nil {
		err = ctx.Err()
	}
	return t.snapshot(cfg.now().Sub(start)), err
}

// rangeTracker moves the checkpoint over the ranges that are done in a row
// from the start, whatever order the ranges finish in.
type rangeTracker struct {
	mu       sync.Mutex
	progress Progress
	next     int64          // first id of the first range not yet done
	end      int64          // one past the last id
	size     int64          // ids per range
	done     map[int64]bool // first ids of ranges done beyond next
	reportMu sync.Mutex     // serialises progress callbacks
}

// complete records that the range starting at lo is copied and returns the
// checkpoint.
func (t *rangeTracker) complete(lo, rows int64, res catalog.PutResult) int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.done[lo] = true
	for t.done[t.next] {
		delete(t.done, t.next)
		t.next += t.size
	}
	t.progress.Rows += rows
	t.progress.Written += int64(res.Written)
	t.progress.Skipped += int64(res.Skipped)
	t.progress.Checkpoint = min(t.next, t.end) // the last range may be short
	return t.progress.Checkpoint
}

func (t *rangeTracker) snapshot(elapsed time.Duration) Progress {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.progress
	p.Elapsed = elapsed
	return p
}

// report calls fn with the progress, one call at a time; each call sees at
// least the progress of the previous one.
func (t *rangeTracker) report(fn func(Progress), elapsed time.Duration) {
	t.reportMu.Lock()
	defer t.reportMu.Unlock()
	fn(t.snapshot(elapsed))
}

// checkpoint returns the id the backfill of e resumes from (1 without one).
func checkpoint(ctx context.Context, s *catalog.PostgresStore, e catalog.Entity) (int64, error) {
	var next int64
	err := s.Pool().QueryRow(ctx, `SELECT coalesce((SELECT next_id FROM backfill_checkpoints WHERE entity = $1), 1)`,
		string(e)).Scan(&next)
	return next, postgres.MapError(err)
}

// saveCheckpoint records that every id below next is copied. Saves may
// arrive out of order; the checkpoint only moves forward.
func saveCheckpoint(ctx context.Context, s *catalog.PostgresStore, e catalog.Entity, next int64) error {
	_, err := s.Pool().Exec(ctx, `INSERT INTO backfill_checkpoints (entity, next_id) VALUES ($1, $2)
ON CONFLICT (entity) DO UPDATE SET next_id = greatest(backfill_checkpoints.next_id, excluded.next_id), updated_at = now()`,
		string(e), next)
	return postgres.MapError(err)
}
