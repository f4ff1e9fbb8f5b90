package verification

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/shadowread/shadowread/example/internal/catalog"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/verify"
)

// RepairFindings makes DynamoDB agree with PostgreSQL, the source of truth
// in write mode both, on the entities a verification found different: the
// items a finding names that PostgreSQL does not imply (a duplicate, an
// item under a wrong key, an orphan) are deleted, and the entity's items
// are copied again, this time overwriting an item as old as the row too
// (drift such as a float32 price keeps its version), though never a newer
// one; an entity PostgreSQL does not have is deleted. Absorbed findings
// are left alone. It returns how many entities it repaired.
func RepairFindings(ctx context.Context, pg *catalog.PostgresStore, ddb *catalog.DynamoDBStore, findings []verify.Finding) (int, error) {
	seen := map[string][]string{}
	var order []verify.Finding
	for _, f := range findings {
		if f.Problem == verify.ProblemAbsorbed {
			continue
		}
		id := fmt.Sprintf("%s#%d", f.Kind, f.ID)
		if _, ok := seen[id]; !ok || f.Kind == "" {
			order = append(order, f)
		}
		seen[id] = append(seen[id], f.Keys...)
	}
	for i, f := range order {
		keys := seen[fmt.Sprintf("%s#%d", f.Kind, f.ID)]
		if f.Kind == "" {
			keys = f.Keys // items of no entity: each finding its own
		}
		if err := repairEntity(ctx, pg, ddb, catalog.Entity(f.Kind), f.ID, keys); err != nil {
			return i, fmt.Errorf("catalog: repair %s %d: %w", f.Kind, f.ID, err)
		}
	}
	return len(order), nil
}

func repairEntity(ctx context.Context, pg *catalog.PostgresStore, ddb *catalog.DynamoDBStore, e catalog.Entity, id int64, seen []string) error {
	items, err := sourceItems(ctx, pg, e, id)
	if err != nil && !errors.Is(err, backends.ErrNotFound) {
		return err
	}
	want := map[string]bool{}
	for _, item := range items {
		want[stringAttr(item, catalog.AttrPK)+"\x00"+stringAttr(item, catalog.AttrSK)] = true
	}
	var stale []itemAttrs
	for _, s := range seen {
		var k map[string]string
		if json.Unmarshal([]byte(s), &k) != nil || want[k[catalog.AttrPK]+"\x00"+k[catalog.AttrSK]] {
			continue
		}
		stale = append(stale, catalog.ItemKey(k[catalog.AttrPK], k[catalog.AttrSK]))
	}
	if err := ddb.DeleteItems(ctx, stale); err != nil {
		return err
	}
	if items == nil {
		return deleteEntity(ctx, ddb, e, id)
	}
	for _, item := range items {
		_, err := ddb.Client().PutItem(ctx, &awsddb.PutItemInput{
			TableName:                 aws.String(ddb.Table()),
			Item:                      item,
			ConditionExpression:       aws.String("attribute_not_exists(PK) OR updated_at <= :v"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":v": item[catalog.AttrUpdatedAt]},
		})
		var newer *types.ConditionalCheckFailedException
		if err != nil && !errors.As(err, &newer) {
			return fmt.Errorf("catalog: dynamodb put %v: %w", catalog.DescribeKey(item), err)
		}
	}
	return nil
}

// sourceItems are the items PostgreSQL implies for an entity; nil and
// backends.ErrNotFound when it has none.
func sourceItems(ctx context.Context, pg *catalog.PostgresStore, e catalog.Entity, id int64) ([]itemAttrs, error) {
	switch e {
	case catalog.EntityCustomer:
		cs, err := pg.CustomersInRange(ctx, id, id+1)
		if err != nil {
			return nil, err
		}
		if len(cs) == 0 {
			return nil, backends.ErrNotFound
		}
		return []itemAttrs{catalog.CustomerItem(cs[0])}, nil
	case catalog.EntityProduct:
		p, err := pg.Product(ctx, id)
		if err != nil {
			return nil, err
		}
		return catalog.ProductItems(p), nil
	case catalog.EntityOrder:
		o, err := pg.Order(ctx, id)
		if err != nil {
			return nil, err
		}
		return []itemAttrs{catalog.OrderItem(o)}, nil
	}
	return nil, backends.ErrNotFound // items of no entity: only deleted
}

func deleteEntity(ctx context.Context, ddb *catalog.DynamoDBStore, e catalog.Entity, id int64) error {
	var keys []map[string]types.AttributeValue
	var err error
	switch e {
	case catalog.EntityCustomer:
		keys = []map[string]types.AttributeValue{catalog.CustomerKey(id)}
	case catalog.EntityProduct:
		keys, err = ddb.ProductKeys(ctx, id)
	case catalog.EntityOrder:
		keys, err = ddb.OrderKeys(ctx, id)
	default:
		return nil
	}
	if err != nil && !errors.Is(err, backends.ErrNotFound) {
		return err
	}
	return ddb.DeleteItems(ctx, keys)
}
