package catalog

import (
	"context"
	"fmt"
)

// Entity names what a repair-log row or a backfill checkpoint is about.
type Entity string

// The entities copied to DynamoDB.
const (
	EntityProduct Entity = "product"
	EntityOrder   Entity = "order"
)

// Entities lists the entities in the order the backfill copies them.
func Entities() []Entity { return []Entity{EntityProduct, EntityOrder} }

// copier copies the current PostgreSQL state of entities to DynamoDB with
// the conditional write rule ([DynamoDBStore.putIfNewer]). The dual write,
// the repair and the backfill all copy this way, so they agree on what
// DynamoDB should hold and none can undo another's newer write.
type copier struct {
	pg  *PostgresStore
	ddb *DynamoDBStore
}

// copyRange copies the entities with lo <= id < hi and returns how many
// rows it read.
func (c copier) copyRange(ctx context.Context, e Entity, lo, hi int64) (rows int, res putResult, err error) {
	switch e {
	case EntityProduct:
		products, err := c.pg.ProductsInRange(ctx, lo, hi)
		if err != nil {
			return 0, res, err
		}
		res, err = c.copyProducts(ctx, products)
		return len(products), res, err
	case EntityOrder:
		orders, err := c.pg.OrdersInRange(ctx, lo, hi)
		if err != nil {
			return 0, res, err
		}
		res, err = c.copyOrders(ctx, orders)
		return len(orders), res, err
	}
	return 0, res, fmt.Errorf("catalog: unknown entity %q", e)
}

func (c copier) copyProducts(ctx context.Context, products []Product) (putResult, error) {
	var total putResult
	for _, p := range products {
		res, err := c.ddb.putProduct(ctx, p)
		total.add(res)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

func (c copier) copyOrders(ctx context.Context, orders []Order) (putResult, error) {
	var total putResult
	for _, o := range orders {
		res, err := c.ddb.putOrder(ctx, o)
		total.add(res)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}
