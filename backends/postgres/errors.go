package postgres

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/shadowread/shadowread/backends"
)

// MapError translates a pgx error for a store: a query that found no row
// ([pgx.ErrNoRows]) becomes an error that is [backends.ErrNotFound], so a
// handler answers 404 the same way for either backend. Other errors are
// wrapped with the package's prefix; errors.Is and errors.As still reach the
// original (pgx.ErrNoRows, *pgconn.PgError, context.DeadlineExceeded).
// MapError(nil) is nil.
func MapError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("%w: %w", backends.ErrNotFound, err)
	default:
		return fmt.Errorf("postgres: %w", err)
	}
}
