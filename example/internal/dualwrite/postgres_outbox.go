package dualwrite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/shadowread/shadowread/example/internal/catalog"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The repair log of PostgreSQL, kept in DynamoDB while DynamoDB is the
// source of truth (write mode dynamodb-first): one item per write whose
// copy to PostgreSQL may be missing, in one partition sorted by time.
// DynamoDB has no transaction with PostgreSQL (and dynalite none at all), so
// the item is written before the change, as an intent: replaying an intent
// whose change never happened copies the entity's unchanged state, which is
// harmless.

const postgresOutboxPK = "OUTBOX#postgres"

// PostgresEntry is one item of PostgreSQL's repair log.
type PostgresEntry struct {
	SK        string // the item's sort key
	Entity    catalog.Entity
	ID        int64
	CreatedAt time.Time
}

// addToPostgresOutbox records that the entity must reach PostgreSQL.
func (l *RepairLogs) addToPostgresOutbox(ctx context.Context, e catalog.Entity, id int64, now time.Time) (PostgresEntry, error) {
	entry := PostgresEntry{SK: fmt.Sprintf("%020d#%s#%d#%08x", now.UnixMicro(), e, id, rand.Uint32()), Entity: e, ID: id, CreatedAt: now}
	_, err := l.ddb.Client().PutItem(ctx, &awsddb.PutItemInput{
		TableName: aws.String(l.ddb.Table()),
		Item: map[string]types.AttributeValue{
			catalog.AttrPK: catalog.AttrS(postgresOutboxPK), catalog.AttrSK: catalog.AttrS(entry.SK),
			"entity": catalog.AttrS(string(e)), "entity_id": catalog.AttrInt(id), "created_at": catalog.TimeAttribute(now),
		},
	})
	if err != nil {
		return PostgresEntry{}, fmt.Errorf("catalog: dynamodb repair log: %w", err)
	}
	return entry, nil
}

// RemoveFromPostgresOutbox deletes an item once PostgreSQL has the change.
func (l *RepairLogs) RemoveFromPostgresOutbox(ctx context.Context, sk string) error {
	ctx, cancel := bookkeeping(ctx)
	defer cancel()
	_, err := l.ddb.Client().DeleteItem(ctx, &awsddb.DeleteItemInput{TableName: aws.String(l.ddb.Table()), Key: catalog.ItemKey(postgresOutboxPK, sk)})
	if err != nil {
		return fmt.Errorf("catalog: dynamodb repair log: %w", err)
	}
	return nil
}

// KeepInPostgresOutbox records a failed attempt, and puts the entry back if
// it is gone: a repair round may have replayed it while the write was
// still changing DynamoDB, copying a state the write had not finished, and
// only a later replay copies the finished one.
func (l *RepairLogs) KeepInPostgresOutbox(ctx context.Context, e PostgresEntry, cause error) error {
	ctx, cancel := bookkeeping(ctx)
	defer cancel()
	_, err := l.ddb.Client().UpdateItem(ctx, &awsddb.UpdateItemInput{
		TableName: aws.String(l.ddb.Table()), Key: catalog.ItemKey(postgresOutboxPK, e.SK),
		UpdateExpression: aws.String("ADD attempts :one SET last_error = :e, entity = :entity, entity_id = :id, created_at = :created"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": catalog.AttrInt(1), ":e": catalog.AttrS(cause.Error()),
			":entity": catalog.AttrS(string(e.Entity)), ":id": catalog.AttrInt(e.ID), ":created": catalog.TimeAttribute(e.CreatedAt)},
	})
	if err != nil {
		return fmt.Errorf("catalog: dynamodb repair log: %w", err)
	}
	return nil
}

// PostgresRepairLog returns the oldest limit items of PostgreSQL's repair log
// after the sort key after ("" for the first).
func (l *RepairLogs) PostgresRepairLog(ctx context.Context, after string, limit int) ([]PostgresEntry, error) {
	in := &awsddb.QueryInput{
		TableName:                 aws.String(l.ddb.Table()),
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": catalog.AttrS(postgresOutboxPK)},
		ConsistentRead:            aws.Bool(true),
		Limit:                     aws.Int32(int32(limit)),
	}
	if after != "" {
		in.ExclusiveStartKey = catalog.ItemKey(postgresOutboxPK, after)
	}
	items, err := l.ddb.Query(ctx, in, limit)
	if err != nil {
		return nil, err
	}
	out := make([]PostgresEntry, 0, len(items))
	for _, item := range items {
		r := catalog.NewItemReader(item)
		e := PostgresEntry{SK: r.Str(catalog.AttrSK), Entity: catalog.Entity(r.Str("entity")), ID: r.Int("entity_id"), CreatedAt: r.Time("created_at")}
		if r.Err() != nil {
			return nil, r.Err()
		}
		out = append(out, e)
	}
	return out, nil
}

// PostgresRepairLogSize returns the number of items in PostgreSQL's repair
// log (in DynamoDB) and the creation time of the oldest.
func (l *RepairLogs) PostgresRepairLogSize(ctx context.Context) (int, time.Time, error) {
	var n int
	in := &awsddb.QueryInput{
		TableName:                 aws.String(l.ddb.Table()),
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": catalog.AttrS(postgresOutboxPK)},
		ConsistentRead:            aws.Bool(true),
		Select:                    types.SelectCount,
	}
	for {
		out, err := l.ddb.Client().Query(ctx, in)
		if err != nil {
			return 0, time.Time{}, fmt.Errorf("catalog: dynamodb repair log: %w", err)
		}
		n += int(out.Count)
		if out.LastEvaluatedKey == nil {
			break
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	if n == 0 {
		return 0, time.Time{}, nil
	}
	first, err := l.PostgresRepairLog(ctx, "", 1)
	if err != nil || len(first) == 0 {
		return n, time.Time{}, err
	}
	return n, first[0].CreatedAt, nil
}
