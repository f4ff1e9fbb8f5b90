package catalog

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/backends/postgres"
)

// WithShadowBehind makes a shadow read say when the store it reads is known
// to be behind for the entity: a write of it still waits in that store's
// repair log (after an outage, say). The read calls hook, which is
// middleware.ShadowBehind, so the pair is skipped with that reason instead
// of being counted as a mismatch: it lowers the route's coverage, it is not
// a failure. The evidence is the request's own: the log is read before the
// shadow's read. Product and order reads ask both logs; the order list asks
// DynamoDB's, since PostgreSQL's names orders and not their customers.
func WithShadowBehind(pg *PostgresStore, ddb *DynamoDBStore, hook func(context.Context)) Option {
	if pg == nil || ddb == nil || hook == nil {
		panic("catalog: WithShadowBehind needs both stores and a hook, as in catalog.WithShadowBehind(pg, ddb, middleware.ShadowBehind)")
	}
	return optionFunc(func(c *config) { c.behind = &behindCheck{pg: pg, ddb: ddb, hook: hook} })
}

// behindCheck asks the repair logs whether a shadow read's entity waits in
// them.
type behindCheck struct {
	pg   *PostgresStore
	ddb  *DynamoDBStore
	hook func(context.Context)
}

// entity calls the hook when ctx is a shadow run and the store it reads has
// the entity in its repair log. A failed lookup says nothing: the pair is
// compared as it would be without the check.
func (b *behindCheck) entity(ctx context.Context, e Entity, id int64) {
	if b == nil || !backends.IsShadow(ctx) {
		return
	}
	var pending bool
	var err error
	switch backends.Target(ctx) {
	case backends.DynamoDB:
		pending, err = b.pg.pendingForDynamoDB(ctx, e, id)
	case backends.Postgres:
		pending, err = b.ddb.pendingForPostgres(ctx, e, id)
	}
	if err == nil && pending {
		b.hook(ctx)
	}
}

// customerOrders is entity for a customer's order list: behind when one of
// the customer's orders waits in DynamoDB's repair log.
func (b *behindCheck) customerOrders(ctx context.Context, customerID int64) {
	if b == nil || !backends.IsShadow(ctx) || backends.Target(ctx) != backends.DynamoDB {
		return
	}
	var pending bool
	err := b.pg.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM dynamodb_outbox l JOIN orders o ON o.id = l.entity_id
WHERE l.entity = 'order' AND o.customer_id = $1)`, customerID).Scan(&pending)
	if err == nil && pending {
		b.hook(ctx)
	}
}

// pendingForDynamoDB reports whether the entity waits in DynamoDB's repair
// log.
func (s *PostgresStore) pendingForDynamoDB(ctx context.Context, e Entity, id int64) (bool, error) {
	var pending bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM dynamodb_outbox WHERE entity = $1 AND entity_id = $2)`,
		string(e), id).Scan(&pending)
	return pending, postgres.MapError(err)
}

// pendingForPostgres reports whether the entity waits in PostgreSQL's
// repair log, kept in DynamoDB. The log is one partition, empty unless
// PostgreSQL failed, so the filtered query reads little.
func (s *DynamoDBStore) pendingForPostgres(ctx context.Context, e Entity, id int64) (bool, error) {
	in := &awsddb.QueryInput{
		TableName:              aws.String(s.table),
		KeyConditionExpression: aws.String("PK = :pk"),
		FilterExpression:       aws.String("entity = :e AND entity_id = :id"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": avS(postgresOutboxPK), ":e": avS(string(e)), ":id": avInt(id),
		},
		ConsistentRead: aws.Bool(true),
		Select:         types.SelectCount,
	}
	for {
		out, err := s.client.Query(ctx, in)
		if err != nil {
			return false, fmt.Errorf("catalog: dynamodb repair log: %w", err)
		}
		if out.Count > 0 {
			return true, nil
		}
		if out.LastEvaluatedKey == nil {
			return false, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}
