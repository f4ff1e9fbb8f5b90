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
	// are now in DynamoDB and gone from the log, Failed are kept.
	Entries, Repaired, Failed int
	// Written and Skipped count DynamoDB items: written, or left alone
	// because DynamoDB already had them at least as fresh.
	Written, Skipped int
}

// Repair replays the repair log: for each entity in it, the current
// PostgreSQL state is copied to DynamoDB with the same conditional write as
// the backfill, and the entity's rows are deleted. Replaying is idempotent:
// an entity DynamoDB already has as fresh is skipped, and one that changed
// since is copied in its newer state. Rows whose copy fails again stay in
// the log with the error; Repair goes on with the others and returns an
// error only when it cannot read the log.
func Repair(ctx context.Context, pg *PostgresStore, ddb *DynamoDBStore) (RepairStats, error) {
	c := copier{pg, ddb}
	var stats RepairStats
	var after int64
	for {
		entries, err := pg.RepairLog(ctx, after, repairBatch)
		if err != nil {
			return stats, err
		}
		if len(entries) == 0 {
			return stats, nil
		}
		after = entries[len(entries)-1].ID
		stats.Entries += len(entries)

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
						return stats, fmt.Errorf("catalog: repair: %w", kerr)
					}
					continue
				}
				if derr := pg.removeFromOutbox(ctx, rowID); derr != nil {
					return stats, fmt.Errorf("catalog: repair: %w", derr)
				}
				stats.Repaired++
			}
		}
	}
}
