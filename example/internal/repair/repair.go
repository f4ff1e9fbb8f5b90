package repair

import (
	"context"
	"fmt"

	"github.com/shadowread/shadowread/example/internal/catalog"
	"github.com/shadowread/shadowread/example/internal/dualwrite"
)

// repairBatch is how many repair-log rows one round reads.
const repairBatch = 100

// Stats says what a [Replay] run did.
type Stats struct {
	// Entries is the number of repair-log rows replayed; Repaired of them
	// are now in the target store and gone from the log, Failed are kept.
	Entries, Repaired, Failed int
	// Written and Skipped count DynamoDB items: written, or left alone
	// because DynamoDB already had them at least as fresh.
	Written, Skipped int
}

func (s *Stats) add(o Stats) {
	s.Entries += o.Entries
	s.Repaired += o.Repaired
	s.Failed += o.Failed
	s.Written += o.Written
	s.Skipped += o.Skipped
}

// Replay replays the repair log: for each entity in it, the current
// PostgreSQL state is copied to DynamoDB with the same conditional write as
// the backfill, and the entity's rows are deleted. Replaying is idempotent:
// an entity DynamoDB already has as fresh is skipped, and one that changed
// since is copied in its newer state. Rows whose copy fails again stay in
// the log with the error; Replay goes on with the others and returns an
// error only when it cannot read the log.
//
// [Worker] does the same in the background, in both directions.
func Replay(ctx context.Context, pg *catalog.PostgresStore, ddb *catalog.DynamoDBStore) (Stats, error) {
	var stats Stats
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

// ReplayPostgres replays PostgreSQL's repair log, kept in DynamoDB while
// the write mode is dynamodb-first: for each entity in it, the current
// DynamoDB state is copied to PostgreSQL unless PostgreSQL has it as fresh.
func ReplayPostgres(ctx context.Context, pg *catalog.PostgresStore, ddb *catalog.DynamoDBStore) (Stats, error) {
	var stats Stats
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
func replayToDynamoDB(ctx context.Context, pg *catalog.PostgresStore, ddb *catalog.DynamoDBStore, afterID int64, limit int) (Stats, int64, error) {
	c := catalog.Copier{PG: pg, DDB: ddb}
	logs := dualwrite.NewRepairLogs(pg, ddb)
	var stats Stats
	entries, err := logs.RepairLog(ctx, afterID, limit)
	if err != nil || len(entries) == 0 {
		return stats, afterID, err
	}
	stats.Entries = len(entries)

	// Every row of the batch was committed before the copies below read
	// PostgreSQL, so one copy per entity covers all of its rows.
	type target struct {
		entity catalog.Entity
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
		res, err := c.CopyRange(ctx, t.entity, t.id, t.id+1)
		stats.Written += res.Written
		stats.Skipped += res.Skipped
		for _, rowID := range rows[t] {
			if err != nil {
				stats.Failed++
				if kerr := logs.KeepInOutbox(ctx, rowID, err); kerr != nil {
					return stats, afterID, fmt.Errorf("catalog: repair: %w", kerr)
				}
				continue
			}
			if derr := logs.RemoveFromOutbox(ctx, rowID); derr != nil {
				return stats, afterID, fmt.Errorf("catalog: repair: %w", derr)
			}
			stats.Repaired++
		}
	}
	return stats, entries[len(entries)-1].ID, nil
}

// replayToPostgres replays at most limit items of PostgreSQL's repair log
// after the item with sort key after, and returns the last item's key.
func replayToPostgres(ctx context.Context, pg *catalog.PostgresStore, ddb *catalog.DynamoDBStore, after string, limit int) (Stats, string, error) {
	var stats Stats
	logs := dualwrite.NewRepairLogs(pg, ddb)
	entries, err := logs.PostgresRepairLog(ctx, after, limit)
	if err != nil || len(entries) == 0 {
		return stats, after, err
	}
	stats.Entries = len(entries)
	type target struct {
		entity catalog.Entity
		id     int64
	}
	done := map[target]error{}
	for _, e := range entries {
		t := target{e.Entity, e.ID}
		err, copied := done[t]
		if !copied {
			err = catalog.CopyToPostgres(ctx, pg, ddb, e.Entity, e.ID)
			done[t] = err
		}
		if err != nil {
			stats.Failed++
			if kerr := logs.KeepInPostgresOutbox(ctx, e, err); kerr != nil {
				return stats, after, fmt.Errorf("catalog: repair: %w", kerr)
			}
			continue
		}
		if derr := logs.RemoveFromPostgresOutbox(ctx, e.SK); derr != nil {
			return stats, after, fmt.Errorf("catalog: repair: %w", derr)
		}
		stats.Repaired++
	}
	return stats, entries[len(entries)-1].SK, nil
}
