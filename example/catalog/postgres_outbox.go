package catalog

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

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

// postgresEntry is one item of PostgreSQL's repair log.
type postgresEntry struct {
	sk        string
	entity    Entity
	id        int64
	createdAt time.Time
}

// addToPostgresOutbox records that the entity must reach PostgreSQL.
func (s *DynamoDBStore) addToPostgresOutbox(ctx context.Context, e Entity, id int64, now time.Time) (string, error) {
	sk := fmt.Sprintf("%020d#%s#%d#%08x", now.UnixMicro(), e, id, rand.Uint32())
	_, err := s.client.PutItem(ctx, &awsddb.PutItemInput{
		TableName: aws.String(s.table),
		Item: map[string]types.AttributeValue{
			attrPK: avS(postgresOutboxPK), attrSK: avS(sk),
			"entity": avS(string(e)), "entity_id": avInt(id), "created_at": TimeAttribute(now),
		},
	})
	if err != nil {
		return "", fmt.Errorf("catalog: dynamodb repair log: %w", err)
	}
	return sk, nil
}

// removeFromPostgresOutbox deletes an item once PostgreSQL has the change.
func (s *DynamoDBStore) removeFromPostgresOutbox(ctx context.Context, sk string) error {
	ctx, cancel := bookkeeping(ctx)
	defer cancel()
	_, err := s.client.DeleteItem(ctx, &awsddb.DeleteItemInput{TableName: aws.String(s.table), Key: key(postgresOutboxPK, sk)})
	if err != nil {
		return fmt.Errorf("catalog: dynamodb repair log: %w", err)
	}
	return nil
}

// keepInPostgresOutbox records a failed attempt.
func (s *DynamoDBStore) keepInPostgresOutbox(ctx context.Context, sk string, cause error) error {
	ctx, cancel := bookkeeping(ctx)
	defer cancel()
	_, err := s.client.UpdateItem(ctx, &awsddb.UpdateItemInput{
		TableName: aws.String(s.table), Key: key(postgresOutboxPK, sk),
		UpdateExpression:          aws.String("ADD attempts :one SET last_error = :e"),
		ConditionExpression:       aws.String("attribute_exists(PK)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": avInt(1), ":e": avS(cause.Error())},
	})
	if err != nil {
		return fmt.Errorf("catalog: dynamodb repair log: %w", err)
	}
	return nil
}

// postgresOutbox returns the oldest limit items of PostgreSQL's repair log
// after the sort key after ("" for the first).
func (s *DynamoDBStore) postgresOutbox(ctx context.Context, after string, limit int) ([]postgresEntry, error) {
	in := &awsddb.QueryInput{
		TableName:                 aws.String(s.table),
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": avS(postgresOutboxPK)},
		ConsistentRead:            aws.Bool(true),
		Limit:                     aws.Int32(int32(limit)),
	}
	if after != "" {
		in.ExclusiveStartKey = key(postgresOutboxPK, after)
	}
	items, err := s.query(ctx, in, limit)
	if err != nil {
		return nil, err
	}
	out := make([]postgresEntry, 0, len(items))
	for _, item := range items {
		r := itemReader{item: item}
		e := postgresEntry{sk: r.str(attrSK), entity: Entity(r.str("entity")), id: r.int("entity_id"), createdAt: r.time("created_at")}
		if r.err != nil {
			return nil, r.err
		}
		out = append(out, e)
	}
	return out, nil
}

// PostgresRepairLogSize returns the number of items in PostgreSQL's repair
// log (in DynamoDB) and the creation time of the oldest.
func (s *DynamoDBStore) PostgresRepairLogSize(ctx context.Context) (int, time.Time, error) {
	var n int
	in := &awsddb.QueryInput{
		TableName:                 aws.String(s.table),
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": avS(postgresOutboxPK)},
		ConsistentRead:            aws.Bool(true),
		Select:                    types.SelectCount,
	}
	for {
		out, err := s.client.Query(ctx, in)
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
	first, err := s.postgresOutbox(ctx, "", 1)
	if err != nil || len(first) == 0 {
		return n, time.Time{}, err
	}
	return n, first[0].createdAt, nil
}

// isOutboxKey reports whether a partition key is a repair log's.
func isOutboxKey(pk string) bool { return strings.HasPrefix(pk, "OUTBOX#") }
