package catalog

import (
	"context"
	"fmt"
)

// repairBatch is how many repair-log rows one round reads.
const repairBatch = 100

// RepairStats says what a [Repair] run did.
type RepairStats struct {
	// Entries is the number of repair-log rows replayed; Repaired of them
	// are now in the target store and gone from the log, Failed are kept.
	Entries, Repaired, Failed int
	// Written and Skipped count DynamoDB items: written, or left alone
	// because DynamoDB already had them at least as fresh.
	Written, Skipped int
}

func (s *RepairStats) add(o RepairStats) {
	s.Entries += o.Entries
	s.Repaired += o.Repaired
	s.Failed += o.Failed
	s.Written += o.Written
	s.Skipped += o.Skipped
}

// Repair replays the repair log: for each entity in it, the current
// PostgreSQL state is copied to DynamoDB with the same conditional write as
// the backfill, and the entity's rows are deleted. Replaying is idempotent:
// an entity DynamoDB already has as fresh is skipped, and one that changed
// since is copied in its newer state. Rows whose copy fails again stay in
// the log with the error; Repair goes on with the others and returns an
// error only when it cannot read the log.
//
// [RepairWorker] does the same in the background, in both directions.
func Repair(ctx context.Context, pg *PostgresStore, ddb *DynamoDBStore) (RepairStats, error) {
	var stats RepairStats
	var after int64
	for {
		s, next, err := replayToDynamoDB(ctx, pg, ddb, after, repairBatch)
		stats.add(s)
		if err != nil || s.Entries == 0 {
			return stats, err
		}
		after = next
	}
}

// RepairPostgres replays PostgreSQL's repair log, kept in DynamoDB while
// the write mode is dynamodb-first: for each entity in it, the current
// DynamoDB state is copied to PostgreSQL unless PostgreSQL has it as fresh.
func RepairPostgres(ctx context.Context, pg *PostgresStore, ddb *DynamoDBStore) (RepairStats, error) {
	var stats RepairStats
	after := ""
	for {
		s, next, err := replayToPostgres(ctx, pg, ddb, after, repairBatch)
		stats.add(s)
		if err != nil || s.Entries == 0 {
			return stats, err
		}
		after = next
	}
}

// replayToDynamoDB replays at most limit rows of DynamoDB's repair log
// after the row afterID, and returns the last row's id.
func replayToDynamoDB(ctx context.Context, pg *PostgresStore, ddb *DynamoDBStore, afterID int64, limit int) (RepairStats, int64, error) {
	c := copier{pg, ddb}
	var stats RepairStats
	entries, err := pg.RepairLog(ctx, afterID, limit)
	if err != nil || len(entries) == 0 {
		return stats, afterID, err
	}
	stats.Entries = len(entries)

	// Every row of the batch was committed before the copies below read
	// PostgreSQL, so one copy per entity covers all of its rows.
	type target struct {
		entity Entity
		id     int64
	}
	rows := make(map[target][]int64)
	var order []target
	for _, e := range entries {
		t := target{e.Entity, e.EntityID}
		if rows[t] == nil {
			order = append(order, t)
		}
		rows[t] = append(rows[t], e.ID)
	}
	for _, t := range order {
		res, err := c.copyRange(ctx, t.entity, t.id, t.id+1)
		stats.Written += res.Written
		stats.Skipped += res.Skipped
		for _, rowID := range rows[t] {
			if err != nil {
				stats.Failed++
				if kerr := pg.keepInOutbox(ctx, rowID, err); kerr != nil {
					return stats, afterID, fmt.Errorf("catalog: repair: %w", kerr)
				}
				continue
			}
			if derr := pg.removeFromOutbox(ctx, rowID); derr != nil {
				return stats, afterID, fmt.Errorf("catalog: repair: %w", derr)
			}
			stats.Repaired++
		}
	}
	return stats, entries[len(entries)-1].ID, nil
}

// replayToPostgres replays at most limit items of PostgreSQL's repair log
// after the item with sort key after, and returns the last item's key.
func replayToPostgres(ctx context.Context, pg *PostgresStore, ddb *DynamoDBStore, after string, limit int) (RepairStats, string, error) {
	var stats RepairStats
	entries, err := ddb.postgresOutbox(ctx, after, limit)
	if err != nil || len(entries) == 0 {
		return stats, after, err
	}
	stats.Entries = len(entries)
	type target struct {
		entity Entity
		id     int64
	}
	done := map[target]error{}
	for _, e := range entries {
		t := target{e.entity, e.id}
		err, copied := done[t]
		if !copied {
			err = copyToPostgres(ctx, pg, ddb, e.entity, e.id)
			done[t] = err
		}
		if err != nil {
			stats.Failed++
			if kerr := ddb.keepInPostgresOutbox(ctx, e.sk, err); kerr != nil {
				return stats, after, fmt.Errorf("catalog: repair: %w", kerr)
			}
			continue
		}
		if derr := ddb.removeFromPostgresOutbox(ctx, e.sk); derr != nil {
			return stats, after, fmt.Errorf("catalog: repair: %w", derr)
		}
		stats.Repaired++
	}
	return stats, entries[len(entries)-1].sk, nil
}
