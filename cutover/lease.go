package cutover

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// DefaultLeaseTTL is how long a lease lasts without renewal; the controller
// renews it every interval, so it must exceed the interval.
const DefaultLeaseTTL = 3 * DefaultInterval

// DB is the part of a [*pgxpool.Pool] (or a [*pgx.Conn]) the lease uses.
//
// [*pgxpool.Pool]: https://pkg.go.dev/github.com/jackc/pgx/v5/pgxpool#Pool
type DB interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// PostgresLease is a [Lease] kept in a row of a PostgreSQL table
// (shadowread_cutover_lease, created when missing): a controller holds it
// while the row names it and has not expired, and takes it over once it
// has. The database's clock decides expiry, so controllers' clocks need
// not agree.
type PostgresLease struct {
	db     DB
	name   string
	holder string
	ttl    time.Duration
}

// NewPostgresLease returns the lease name (one per cutover, e.g. the
// service's name) as holder (unique per controller, e.g. host and pid),
// lasting ttl unless renewed.
func NewPostgresLease(db DB, name, holder string, ttl time.Duration) *PostgresLease {
	if db == nil || name == "" || holder == "" || ttl <= 0 {
		panic("cutover: NewPostgresLease needs a pool, a lease name, a holder unique to this controller and a positive TTL, e.g. cutover.NewPostgresLease(pool, \"catalog\", hostname+\":\"+pid, cutover.DefaultLeaseTTL)")
	}
	return &PostgresLease{db: db, name: name, holder: holder, ttl: ttl}
}

const leaseTable = `CREATE TABLE IF NOT EXISTS shadowread_cutover_lease (
	name    text PRIMARY KEY,
	holder  text NOT NULL,
	expires timestamptz NOT NULL
)`

// One statement takes a free or expired lease, or renews our own; it
// returns no row while another holder's lease runs.
const leaseTake = `INSERT INTO shadowread_cutover_lease AS l (name, holder, expires)
VALUES ($1, $2, now() + $3 * interval '1 microsecond')
ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires = excluded.expires
WHERE l.holder = excluded.holder OR l.expires < now()
RETURNING holder`

// Hold takes or renews the lease and reports whether this controller holds
// it.
func (l *PostgresLease) Hold(ctx context.Context) (bool, error) {
	var holder string
	err := l.db.QueryRow(ctx, leaseTake, l.name, l.holder, l.ttl.Microseconds()).Scan(&holder)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P01" { // undefined_table
		if _, err := l.db.Exec(ctx, leaseTable); err != nil {
			return false, fmt.Errorf("cutover: creating the lease table: %w", err)
		}
		err = l.db.QueryRow(ctx, leaseTake, l.name, l.holder, l.ttl.Microseconds()).Scan(&holder)
	}
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("cutover: taking the lease: %w", err)
	}
	return holder == l.holder, nil
}

// Release gives the lease up, so another controller can take it at once.
func (l *PostgresLease) Release(ctx context.Context) error {
	_, err := l.db.Exec(ctx, `DELETE FROM shadowread_cutover_lease WHERE name = $1 AND holder = $2`, l.name, l.holder)
	if err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "42P01" {
			return nil
		}
		return fmt.Errorf("cutover: releasing the lease: %w", err)
	}
	return nil
}
