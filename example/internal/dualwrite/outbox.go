package dualwrite

import (
	"context"
	"fmt"
	"time"

	"github.com/shadowread/shadowread/example/internal/catalog"

	"github.com/jackc/pgx/v5"

	"github.com/shadowread/shadowread/backends/postgres"
)

// RepairEntry is one row of the repair log (the dynamodb_outbox table): an
// entity whose latest change DynamoDB may not have.
type RepairEntry struct {
	ID        int64
	Entity    catalog.Entity
	EntityID  int64
	CreatedAt time.Time
	Attempts  int
	LastError string
}

// addToOutbox records, inside the write's transaction, that the entity must
// reach DynamoDB. It returns the row's id.
func addToOutbox(ctx context.Context, tx pgx.Tx, e catalog.Entity, id int64) (int64, error) {
	var rowID int64
	err := tx.QueryRow(ctx, `INSERT INTO dynamodb_outbox (entity, entity_id) VALUES ($1, $2) RETURNING id`,
		string(e), id).Scan(&rowID)
	return rowID, postgres.MapError(err)
}

// bookkeepingTimeout bounds a write to a repair log about an attempt.
const bookkeepingTimeout = 2 * time.Second

// bookkeeping returns a context of its own for recording an attempt: the
// attempt's context is often spent by the very timeout being recorded.
func bookkeeping(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), bookkeepingTimeout)
}

// RemoveFromOutbox deletes a row once DynamoDB has the change.
func (l *RepairLogs) RemoveFromOutbox(ctx context.Context, rowID int64) error {
	ctx, cancel := bookkeeping(ctx)
	defer cancel()
	_, err := l.pg.Pool().Exec(ctx, `DELETE FROM dynamodb_outbox WHERE id = $1`, rowID)
	return postgres.MapError(err)
}

// KeepInOutbox records a failed attempt on a row, which stays for repair.
func (l *RepairLogs) KeepInOutbox(ctx context.Context, rowID int64, cause error) error {
	ctx, cancel := bookkeeping(ctx)
	defer cancel()
	_, err := l.pg.Pool().Exec(ctx, `UPDATE dynamodb_outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1`,
		rowID, cause.Error())
	return postgres.MapError(err)
}

// RepairLog returns the rows of the repair log after the row afterID,
// oldest first, at most limit.
func (l *RepairLogs) RepairLog(ctx context.Context, afterID int64, limit int) ([]RepairEntry, error) {
	rows, err := l.pg.Pool().Query(ctx, `SELECT id, entity, entity_id, created_at, attempts, coalesce(last_error, '')
FROM dynamodb_outbox WHERE id > $1 ORDER BY id LIMIT $2`, afterID, limit)
	if err != nil {
		return nil, postgres.MapError(err)
	}
	entries, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (RepairEntry, error) {
		var e RepairEntry
		var entity string
		err := row.Scan(&e.ID, &entity, &e.EntityID, &e.CreatedAt, &e.Attempts, &e.LastError)
		e.Entity = catalog.Entity(entity)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("catalog: read the repair log: %w", postgres.MapError(err))
	}
	return entries, nil
}

// RepairLogSize returns the number of rows in the repair log.
func (l *RepairLogs) RepairLogSize(ctx context.Context) (int, error) {
	var n int
	err := l.pg.Pool().QueryRow(ctx, `SELECT count(*) FROM dynamodb_outbox`).Scan(&n)
	return n, postgres.MapError(err)
}

// RepairLogAge returns the number of rows in the repair log and the
// creation time of the oldest (zero when empty).
func (l *RepairLogs) RepairLogAge(ctx context.Context) (int, time.Time, error) {
	var n int
	var oldest *time.Time
	err := l.pg.Pool().QueryRow(ctx, `SELECT count(*), min(created_at) FROM dynamodb_outbox`).Scan(&n, &oldest)
	if err != nil || oldest == nil {
		return n, time.Time{}, postgres.MapError(err)
	}
	return n, oldest.UTC(), nil
}
