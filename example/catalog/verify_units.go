package catalog

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/shadowread/shadowread/backends/postgres"
)

// The work units of a verification run and their leases. Every worker
// takes the next free unit with FOR UPDATE SKIP LOCKED, so workers never
// wait for each other and never take the same unit; a lease that runs out
// (its worker crashed) frees the unit for the others.

// Unit kinds.
const (
	unitPostgres = "postgres" // a key range of one entity in PostgreSQL
	unitDynamoDB = "dynamodb" // a parallel-scan segment of the table
	unitCompare  = "compare"  // a range whose checksums differ
)

// Run phases.
const (
	phaseCount   = "count"
	phaseCompare = "compare"
	phaseDone    = "done"
)

type verifyUnit struct {
	kind   string
	entity Entity
	lo, hi int64
}

// verifiedEntities are the entities verification compares.
func verifiedEntities() []Entity { return []Entity{EntityProduct, EntityOrder} }

// createRun inserts a run and its counting units.
func (s *PostgresStore) createRun(ctx context.Context, rangeSize int64, segments int) (int64, error) {
	var id int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO verify_runs (range_size, segments) VALUES ($1, $2) RETURNING id`,
			rangeSize, segments).Scan(&id); err != nil {
			return err
		}
		for _, e := range verifiedEntities() {
			table, err := tableOf(e)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO verify_units (run_id, kind, entity, lo, hi)
SELECT $1, 'postgres', $2, lo, lo + $3 FROM generate_series(1::bigint, (SELECT coalesce(max(id), 0) FROM `+table+`), $3) AS lo`,
				id, string(e), rangeSize); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO verify_units (run_id, kind, entity, lo, hi)
SELECT $1, 'dynamodb', '', seg, seg + 1 FROM generate_series(0, $2 - 1) AS seg`, id, segments)
		return err
	})
	return id, postgres.MapError(err)
}

// lease takes the next free unit of the run for worker until the lease
// runs out; ok is false when none is free. The unit is found and locked
// first, then leased by its key, in one transaction: the update touches
// exactly that row.
func (s *PostgresStore) lease(ctx context.Context, run int64, worker string, d time.Duration) (u verifyUnit, ok bool, err error) {
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var entity string
		err := tx.QueryRow(ctx, `SELECT kind, entity, lo, hi FROM verify_units
WHERE run_id = $1 AND NOT done AND (lease_until IS NULL OR lease_until < now())
ORDER BY kind DESC, entity, lo LIMIT 1 FOR UPDATE SKIP LOCKED`, run).Scan(&u.kind, &entity, &u.lo, &u.hi)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		u.entity, ok = Entity(entity), true
		_, err = tx.Exec(ctx, `UPDATE verify_units SET leased_by = $5, lease_until = now() + $6 * interval '1 microsecond'
WHERE run_id = $1 AND kind = $2 AND entity = $3 AND lo = $4`, run, u.kind, entity, u.lo, worker, d.Microseconds())
		return err
	})
	return u, ok && err == nil, postgres.MapError(err)
}

// release frees the units the worker holds and has not finished, when it
// stops before its leases run out.
func (s *PostgresStore) release(ctx context.Context, run int64, worker string) error {
	_, err := s.pool.Exec(ctx, `UPDATE verify_units SET leased_by = NULL, lease_until = NULL
WHERE run_id = $1 AND leased_by = $2 AND NOT done`, run, worker)
	return postgres.MapError(err)
}

// finish records a unit's results and marks it done, in one transaction.
// A unit finished twice (a lease ran out under a slow worker) keeps the
// first results.
func (s *PostgresStore) finish(ctx context.Context, run int64, u verifyUnit, entities int64, results func(pgx.Tx) error) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var done bool
		if err := tx.QueryRow(ctx, `SELECT done FROM verify_units WHERE run_id = $1 AND kind = $2 AND entity = $3 AND lo = $4 FOR UPDATE`,
			run, u.kind, string(u.entity), u.lo).Scan(&done); err != nil || done {
			return err
		}
		if err := results(tx); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE verify_units SET done = true, entities = $5, lease_until = NULL
WHERE run_id = $1 AND kind = $2 AND entity = $3 AND lo = $4`, run, u.kind, string(u.entity), u.lo, entities)
		return err
	})
	return postgres.MapError(err)
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

func (s *PostgresStore) runState(ctx context.Context, run int64) (runState, error) {
	var st runState
	err := s.pool.QueryRow(ctx, `SELECT r.phase, r.range_size, r.segments,
	count(u.*), count(u.*) FILTER (WHERE u.done),
	count(u.*) FILTER (WHERE NOT u.done AND (u.lease_until IS NULL OR u.lease_until < now())),
	count(u.*) FILTER (WHERE NOT u.done AND u.lease_until >= now()),
	coalesce(sum(u.entities), 0)
FROM verify_runs r LEFT JOIN verify_units u ON u.run_id = r.id
WHERE r.id = $1 GROUP BY r.id`, run).Scan(&st.phase, &st.rangeSize, &st.segments, &st.units, &st.done, &st.pending, &st.leased, &st.entities)
	if errors.Is(err, pgx.ErrNoRows) {
		return st, errors.New("catalog: no such verification run")
	}
	return st, postgres.MapError(err)
}

// advance moves a run whose units are all done to its next phase: from
// counting to comparing the ranges whose sums differ, then to done. Only
// one worker moves it; the others see the new phase.
func (s *PostgresStore) advance(ctx context.Context, run int64) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// The lock first, then the count in a statement of its own: its
		// snapshot is taken after the lock, so it sees the units a worker
		// that advanced the run just before has added.
		var phase string
		var undone int
		if err := tx.QueryRow(ctx, `SELECT phase FROM verify_runs WHERE id = $1 FOR UPDATE`, run).Scan(&phase); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM verify_units WHERE run_id = $1 AND NOT done`, run).Scan(&undone); err != nil {
			return err
		}
		if undone > 0 {
			return nil
		}
		switch phase {
		case phaseCount:
			if _, err := tx.Exec(ctx, `INSERT INTO verify_units (run_id, kind, entity, lo, hi)
SELECT $1, 'compare', entity, range_lo, range_lo + (SELECT range_size FROM verify_runs WHERE id = $1)
FROM verify_sums WHERE run_id = $1
GROUP BY entity, range_lo
-- Sums of 64-bit hashes wrap in Go; compare them modulo 2^64.
HAVING sum(entities) FILTER (WHERE segment < 0) IS DISTINCT FROM coalesce(sum(entities) FILTER (WHERE segment >= 0), 0)
	OR (coalesce(sum(checksum) FILTER (WHERE segment < 0), 0) % 18446744073709551616 + 18446744073709551616) % 18446744073709551616
		<> (coalesce(sum(checksum) FILTER (WHERE segment >= 0), 0) % 18446744073709551616 + 18446744073709551616) % 18446744073709551616`, run); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `UPDATE verify_runs SET phase = 'compare' WHERE id = $1`, run)
			return err
		case phaseCompare:
			_, err := tx.Exec(ctx, `UPDATE verify_runs SET phase = 'done', finished_at = now() WHERE id = $1`, run)
			return err
		}
		return nil
	})
	return postgres.MapError(err)
}
