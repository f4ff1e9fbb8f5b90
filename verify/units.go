package verify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// The work units of a run and their leases. Every worker takes the next
// free unit with FOR UPDATE SKIP LOCKED, so workers never wait for each
// other and never take the same unit; a lease that runs out (its worker
// crashed) frees the unit for the others.

// Unit kinds.
const (
	unitSource  = "source"  // a key range of one kind in the source
	unitTarget  = "target"  // a scan segment of the target
	unitCompare = "compare" // a range whose sums differ
)

// Run phases.
const (
	PhaseCount   = "count"
	PhaseCompare = "compare"
	PhaseDone    = "done"
)

// ErrNoRun is returned for a run id that does not exist.
var ErrNoRun = errors.New("verify: no such run")

type unit struct {
	unit   string
	kind   string
	lo, hi int64
}

// createRun inserts a run and its counting units.
func (v *Verifier) createRun(ctx context.Context, maxIDs map[string]int64) (int64, error) {
	var id int64
	err := pgx.BeginFunc(ctx, v.db, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO shadowread_verify_runs (range_size, segments) VALUES ($1, $2) RETURNING id`,
			v.cfg.rangeSize, v.cfg.segments).Scan(&id); err != nil {
			return err
		}
		for _, k := range v.kinds {
			if _, err := tx.Exec(ctx, `INSERT INTO shadowread_verify_units (run_id, unit, kind, lo, hi)
SELECT $1, 'source', $2, lo, lo + $3 FROM generate_series(1::bigint, $4::bigint, $3) AS lo`,
				id, k.Name, v.cfg.rangeSize, maxIDs[k.Name]); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO shadowread_verify_units (run_id, unit, kind, lo, hi)
SELECT $1, 'target', '', seg, seg + 1 FROM generate_series(0, $2 - 1) AS seg`, id, v.cfg.segments)
		return err
	})
	return id, err
}

// lease takes the next free unit of the run until the lease runs out; ok
// is false when none is free.
func (v *Verifier) lease(ctx context.Context, run int64) (u unit, ok bool, err error) {
	err = pgx.BeginFunc(ctx, v.db, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `SELECT unit, kind, lo, hi FROM shadowread_verify_units
WHERE run_id = $1 AND NOT done AND (lease_until IS NULL OR lease_until < now())
ORDER BY unit DESC, kind, lo LIMIT 1 FOR UPDATE SKIP LOCKED`, run).Scan(&u.unit, &u.kind, &u.lo, &u.hi)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		ok = true
		_, err = tx.Exec(ctx, `UPDATE shadowread_verify_units SET leased_by = $5, lease_until = now() + $6 * interval '1 microsecond'
WHERE run_id = $1 AND unit = $2 AND kind = $3 AND lo = $4`, run, u.unit, u.kind, u.lo, v.cfg.worker, v.cfg.lease.Microseconds())
		return err
	})
	return u, ok && err == nil, err
}

// release frees the units the worker holds and has not finished, when it
// stops before its leases run out.
func (v *Verifier) release(ctx context.Context, run int64) error {
	_, err := v.db.Exec(ctx, `UPDATE shadowread_verify_units SET leased_by = NULL, lease_until = NULL
WHERE run_id = $1 AND leased_by = $2 AND NOT done`, run, v.cfg.worker)
	return err
}

// finish records a unit's results and marks it done, in one transaction.
// A unit finished twice (a lease ran out under a slow worker) keeps the
// first results.
func (v *Verifier) finish(ctx context.Context, run int64, u unit, entities int64, results func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, v.db, func(tx pgx.Tx) error {
		var done bool
		if err := tx.QueryRow(ctx, `SELECT done FROM shadowread_verify_units WHERE run_id = $1 AND unit = $2 AND kind = $3 AND lo = $4 FOR UPDATE`,
			run, u.unit, u.kind, u.lo).Scan(&done); err != nil || done {
			return err
		}
		if err := results(tx); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE shadowread_verify_units SET done = true, entities = $5, lease_until = NULL
WHERE run_id = $1 AND unit = $2 AND kind = $3 AND lo = $4`, run, u.unit, u.kind, u.lo, entities)
		return err
	})
}

// runState is where a run stands.
type runState struct {
	phase                string
	rangeSize            int64
	segments             int
	units, done, pending int // pending: neither done nor leased
	leased               int
	entities             int64
}

func (v *Verifier) runState(ctx context.Context, run int64) (runState, error) {
	var st runState
	err := v.db.QueryRow(ctx, `SELECT r.phase, r.range_size, r.segments,
	count(u.*), count(u.*) FILTER (WHERE u.done),
	count(u.*) FILTER (WHERE NOT u.done AND (u.lease_until IS NULL OR u.lease_until < now())),
	count(u.*) FILTER (WHERE NOT u.done AND u.lease_until >= now()),
	coalesce(sum(u.entities), 0)
FROM shadowread_verify_runs r LEFT JOIN shadowread_verify_units u ON u.run_id = r.id
WHERE r.id = $1 GROUP BY r.id`, run).Scan(&st.phase, &st.rangeSize, &st.segments, &st.units, &st.done, &st.pending, &st.leased, &st.entities)
	if errors.Is(err, pgx.ErrNoRows) {
		return st, fmt.Errorf("%w: %d", ErrNoRun, run)
	}
	return st, err
}

// advance moves a run whose units are all done to its next phase: from
// counting to comparing the ranges whose sums differ, then to done. Only
// one worker moves it; the others see the new phase.
func (v *Verifier) advance(ctx context.Context, run int64) error {
	return pgx.BeginFunc(ctx, v.db, func(tx pgx.Tx) error {
		// The lock first, then the count in a statement of its own: its
		// snapshot is taken after the lock, so it sees the units a worker
		// that advanced the run just before has added.
		var phase string
		var undone int
		if err := tx.QueryRow(ctx, `SELECT phase FROM shadowread_verify_runs WHERE id = $1 FOR UPDATE`, run).Scan(&phase); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM shadowread_verify_units WHERE run_id = $1 AND NOT done`, run).Scan(&undone); err != nil {
			return err
		}
		if undone > 0 {
			return nil
		}
		switch phase {
		case PhaseCount:
			if _, err := tx.Exec(ctx, `INSERT INTO shadowread_verify_units (run_id, unit, kind, lo, hi)
SELECT $1, 'compare', kind, range_lo, range_lo + (SELECT range_size FROM shadowread_verify_runs WHERE id = $1)
FROM shadowread_verify_sums WHERE run_id = $1
GROUP BY kind, range_lo
HAVING coalesce(sum(entities) FILTER (WHERE segment < 0), 0) <> coalesce(sum(entities) FILTER (WHERE segment >= 0), 0)
	OR coalesce(sum(items) FILTER (WHERE segment < 0), 0) <> coalesce(sum(items) FILTER (WHERE segment >= 0), 0)
	-- Sums of 64-bit hashes wrap in Go; compare them modulo 2^64.
	OR (coalesce(sum(checksum) FILTER (WHERE segment < 0), 0) % 18446744073709551616 + 18446744073709551616) % 18446744073709551616
		<> (coalesce(sum(checksum) FILTER (WHERE segment >= 0), 0) % 18446744073709551616 + 18446744073709551616) % 18446744073709551616`, run); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `UPDATE shadowread_verify_runs SET phase = 'compare' WHERE id = $1`, run)
			return err
		case PhaseCompare:
			_, err := tx.Exec(ctx, `UPDATE shadowread_verify_runs SET phase = 'done', finished_at = now() WHERE id = $1`, run)
			return err
		}
		return nil
	})
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
