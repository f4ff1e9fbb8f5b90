package catalog

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/shadowread/shadowread/backends"
)

// RepairFindings makes DynamoDB agree with PostgreSQL, the source of truth
// in write mode both, on the entities a verification found different:
// missing and changed entities are copied again, and this time an item as
// old as the row is overwritten too (drift such as a float32 price keeps
// its version), though never a newer one; extra entities are deleted.
// Absorbed findings are left alone. It returns how many entities it
// repaired.
func RepairFindings(ctx context.Context, pg *PostgresStore, ddb *DynamoDBStore, findings []VerifyFinding) (int, error) {
	n := 0
	for _, f := range findings {
		var err error
		switch f.Kind {
		case FindingMissing, FindingChanged:
			err = overwriteEntity(ctx, pg, ddb, f.Entity, f.ID)
		case FindingExtra:
			err = deleteEntity(ctx, ddb, f.Entity, f.ID)
		default:
			continue
		}
		if err != nil {
			return n, fmt.Errorf("catalog: repair %s %d: %w", f.Entity, f.ID, err)
		}
		n++
	}
	return n, nil
}

func overwriteEntity(ctx context.Context, pg *PostgresStore, ddb *DynamoDBStore, e Entity, id int64) error {
	var items []map[string]types.AttributeValue
	switch e {
	case EntityProduct:
		p, err := pg.Product(ctx, id)
		if err != nil {
			return err
		}
		items = productItems(p)
	case EntityOrder:
		o, err := pg.Order(ctx, id)
		if err != nil {
			return err
		}
		// A drifted copy may sit under another sort key (another created_at).
		if err := deleteEntity(ctx, ddb, e, id); err != nil {
			return err
		}
		items = append(items, orderItem(o))
	default:
		return fmt.Errorf("catalog: unknown entity %q", e)
	}
	for _, item := range items {
		_, err := ddb.client.PutItem(ctx, &awsddb.PutItemInput{
			TableName:                 aws.String(ddb.table),
			Item:                      item,
			ConditionExpression:       aws.String("attribute_not_exists(PK) OR updated_at <= :v"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":v": item[attrUpdatedAt]},
		})
		var newer *types.ConditionalCheckFailedException
		if err != nil && !errors.As(err, &newer) {
			return fmt.Errorf("catalog: dynamodb put %v: %w", describeKey(item), err)
		}
	}
	return nil
}

func deleteEntity(ctx context.Context, ddb *DynamoDBStore, e Entity, id int64) error {
	var keys []map[string]types.AttributeValue
	var err error
	switch e {
	case EntityProduct:
		keys, err = ddb.productKeys(ctx, id)
	case EntityOrder:
		keys, err = ddb.orderKeys(ctx, id)
	default:
		err = fmt.Errorf("catalog: unknown entity %q", e)
	}
	if err != nil && !errors.Is(err, backends.ErrNotFound) {
		return err
	}
	return ddb.deleteItems(ctx, keys)
}
