package dualwrite

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/backends/postgres"
	"github.com/shadowread/shadowread/example/internal/catalog"
)

// RepairLogs are the two repair logs of the dual write: DynamoDB's, a
// table in PostgreSQL (dynamodb_outbox), and PostgreSQL's, a partition in
// DynamoDB. An entity in a log has a change the other store may lack.
type RepairLogs struct {
	pg  *catalog.PostgresStore
	ddb *catalog.DynamoDBStore
}

// NewRepairLogs returns the repair logs kept in pg and ddb.
func NewRepairLogs(pg *catalog.PostgresStore, ddb *catalog.DynamoDBStore) *RepairLogs {
	if pg == nil || ddb == nil {
		panic("dualwrite: NewRepairLogs needs both stores")
	}
	return &RepairLogs{pg: pg, ddb: ddb}
}

// Pending reports whether a change of the entity waits to reach store: it
// is catalog.RepairLogs for WithShadowBehind.
func (l *RepairLogs) Pending(ctx context.Context, store backends.Name, e catalog.Entity, id int64) (bool, error) {
	switch store {
	case backends.DynamoDB:
		return l.pendingForDynamoDB(ctx, e, id)
	case backends.Postgres:
		return l.pendingForPostgres(ctx, e, id)
	}
	return false, nil
}

// PendingCustomerOrders reports whether a change of one of the customer's
// orders waits to reach DynamoDB.
func (l *RepairLogs) PendingCustomerOrders(ctx context.Context, customerID int64) (bool, error) {
	var pending bool
	err := l.pg.Pool().QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM dynamodb_outbox l JOIN orders o ON o.id = l.entity_id
WHERE l.entity = 'order' AND o.customer_id = $1)`, customerID).Scan(&pending)
	return pending, err
}

// pendingForDynamoDB reports whether the entity waits in DynamoDB's repair
// log.
func (l *RepairLogs) pendingForDynamoDB(ctx context.Context, e catalog.Entity, id int64) (bool, error) {
	var pending bool
	err := l.pg.Pool().QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM dynamodb_outbox WHERE entity = $1 AND entity_id = $2)`,
		string(e), id).Scan(&pending)
	return pending, postgres.MapError(err)
}

// pendingForPostgres reports whether the entity waits in PostgreSQL's
// repair log, kept in DynamoDB. The log is one partition, empty unless
// PostgreSQL failed, so the filtered query reads little.
func (l *RepairLogs) pendingForPostgres(ctx context.Context, e catalog.Entity, id int64) (bool, error) {
	in := &awsddb.QueryInput{
		TableName:              aws.String(l.ddb.Table()),
		KeyConditionExpression: aws.String("PK = :pk"),
		FilterExpression:       aws.String("entity = :e AND entity_id = :id"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": catalog.AttrS(postgresOutboxPK), ":e": catalog.AttrS(string(e)), ":id": catalog.AttrInt(id),
		},
		ConsistentRead: aws.Bool(true),
		Select:         types.SelectCount,
	}
	for {
		out, err := l.ddb.Client().Query(ctx, in)
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
