package verify

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// schema is the state of runs, in the source's PostgreSQL: the work units
// and their leases, the per-range sums, the target's scanned entities and
// the findings.
const schema = `
CREATE TABLE IF NOT EXISTS shadowread_verify_runs (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at  timestamptz NOT NULL DEFAULT now(),
    range_size  bigint      NOT NULL CHECK (range_size > 0),
    segments    int         NOT NULL CHECK (segments > 0),
    phase       text        NOT NULL DEFAULT 'count',
    finished_at timestamptz
);
-- A unit: a source key range of one kind (source), a target scan segment
-- (target, lo = the segment), or a range whose sums differ (compare).
CREATE TABLE IF NOT EXISTS shadowread_verify_units (
    run_id      bigint      NOT NULL REFERENCES shadowread_verify_runs (id) ON DELETE CASCADE,
    unit        text        NOT NULL,
    kind        text        NOT NULL,
    lo          bigint      NOT NULL,
    hi          bigint      NOT NULL,
    done        boolean     NOT NULL DEFAULT false,
    leased_by   text,
    lease_until timestamptz,
    entities    bigint      NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, unit, kind, lo)
);
-- Per kind, range and side (segment -1 is the source), the entities and
-- items counted and the sum of their hashes modulo 2^64.
CREATE TABLE IF NOT EXISTS shadowread_verify_sums (
    run_id   bigint NOT NULL REFERENCES shadowread_verify_runs (id) ON DELETE CASCADE,
    kind     text   NOT NULL,
    range_lo bigint NOT NULL,
    segment  int    NOT NULL,
    entities bigint NOT NULL,
    items    bigint NOT NULL,
    checksum bigint NOT NULL,
    PRIMARY KEY (run_id, kind, range_lo, segment)
);
-- Every entity the target's scan met, for the ranges compared one by one.
CREATE TABLE IF NOT EXISTS shadowread_verify_scanned (
    run_id    bigint  NOT NULL REFERENCES shadowread_verify_runs (id) ON DELETE CASCADE,
    segment   int     NOT NULL,
    ord       int     NOT NULL,
    kind      text    NOT NULL,
    entity_id bigint  NOT NULL,
    hash      bigint  NOT NULL,
    readable  boolean NOT NULL,
    keys      text[]  NOT NULL,
    reason    text    NOT NULL,
    PRIMARY KEY (run_id, segment, ord)
);
CREATE INDEX IF NOT EXISTS shadowread_verify_scanned_entity ON shadowread_verify_scanned (run_id, kind, entity_id);
CREATE TABLE IF NOT EXISTS shadowread_verify_findings (
    run_id    bigint NOT NULL REFERENCES shadowread_verify_runs (id) ON DELETE CASCADE,
    seq       bigint GENERATED ALWAYS AS IDENTITY,
    kind      text   NOT NULL,
    entity_id bigint NOT NULL,
    problem   text   NOT NULL,
    signature text   NOT NULL,
    triage    text   NOT NULL,
    fields    text[] NOT NULL,
    keys      text[] NOT NULL,
    reason    text   NOT NULL,
    PRIMARY KEY (run_id, seq)
);
`

// migrate creates the tables, once at a time: concurrent CREATE TABLE IF
// NOT EXISTS can fail on PostgreSQL's catalog.
func migrate(ctx context.Context, db *pgxpool.Pool) error {
	return pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('shadowread_verify'))`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, schema)
		return err
	})
}
