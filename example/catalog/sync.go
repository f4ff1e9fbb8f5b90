package catalog

import (
	"context"
	"fmt"
)

// Entity names what a repair-log row or a backfill checkpoint is about.
type Entity string

// The entities copied to DynamoDB.
const (
	EntityCustomer Entity = "customer"
	EntityProduct  Entity = "product"
	EntityOrder    Entity = "order"
)

// Entities lists the entities in the order the backfill copies them:
// customers first, whom the writes on DynamoDB alone check orders against.
func Entities() []Entity { return []Entity{EntityCustomer, EntityProduct, EntityOrder} }

// copier copies the current PostgreSQL state of entities to DynamoDB with
// the conditional write rule ([DynamoDBStore.putIfNewer]). The dual write,
// the repair and the backfill all copy this way, so they agree on what
// DynamoDB should hold and none can undo another's newer write.
type copier struct {
	pg  *PostgresStore
	ddb *DynamoDBStore
}

// rowSet is what one range read: customers, products or orders.
type rowSet struct {
	customers []Customer
	products  []Product
	orders    []Order
}

func (r rowSet) len() int { return len(r.customers) + len(r.products) + len(r.orders) }

// readRange reads the entities with lo <= id < hi from PostgreSQL.
func (c copier) readRange(ctx context.Context, e Entity, lo, hi int64) (rowSet, error) {
	var r rowSet
	var err error
	switch e {
	case EntityCustomer:
		r.customers, err = c.pg.CustomersInRange(ctx, lo, hi)
	case EntityProduct:
		r.products, err = c.pg.ProductsInRange(ctx, lo, hi)
	case EntityOrder:
		r.orders, err = c.pg.OrdersInRange(ctx, lo, hi)
	default:
		err = fmt.Errorf("catalog: unknown entity %q", e)
	}
	return r, err
}

// writeRows writes the rows' items to DynamoDB, each only if newer.
func (c copier) writeRows(ctx context.Context, r rowSet) (putResult, error) {
	var total putResult
	for _, cu := range r.customers {
		res, err := c.ddb.putIfNewer(ctx, customerItem(cu))
		total.add(res)
		if err != nil {
			return total, err
		}
	}
	for _, p := range r.products {
		res, err := c.ddb.putProduct(ctx, p)
		total.add(res)
		if err != nil {
			return total, err
		}
	}
	for _, o := range r.orders {
		res, err := c.ddb.putOrder(ctx, o)
		total.add(res)
		if err != nil {
			return total, err
		}
	}
	if n := len(r.orders); n > 0 {
		// Orders are read by id, so the last has the largest.
		if err := c.ddb.raiseOrderCounter(ctx, r.orders[n-1].ID); err != nil {
			return total, err
		}
	}
	return total, nil
}

// copyRange copies the entities with lo <= id < hi.
func (c copier) copyRange(ctx context.Context, e Entity, lo, hi int64) (putResult, error) {
	rows, err := c.readRange(ctx, e, lo, hi)
	if err != nil {
		return putResult{}, err
	}
	return c.writeRows(ctx, rows)
}
