package catalog

import (
	"context"
	"fmt"

	"github.com/shadowread/shadowread/backends/postgres"
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

// Copier copies the current PostgreSQL state of entities to DynamoDB with
// the conditional write rule ([DynamoDBStore.PutIfNewer]). The dual write,
// the repair and the backfill all copy this way, so they agree on what
// DynamoDB should hold and none can undo another's newer write.
type Copier struct {
	PG  *PostgresStore
	DDB *DynamoDBStore
}

// Rows is what one range read: customers, products or orders.
type Rows struct {
	customers []Customer
	products  []Product
	orders    []Order
}

// Len is the number of rows.
func (r Rows) Len() int { return len(r.customers) + len(r.products) + len(r.orders) }

// ReadRange reads the entities with lo <= id < hi from PostgreSQL.
func (c Copier) ReadRange(ctx context.Context, e Entity, lo, hi int64) (Rows, error) {
	var r Rows
	var err error
	switch e {
	case EntityCustomer:
		r.customers, err = c.PG.CustomersInRange(ctx, lo, hi)
	case EntityProduct:
		r.products, err = c.PG.ProductsInRange(ctx, lo, hi)
	case EntityOrder:
		r.orders, err = c.PG.OrdersInRange(ctx, lo, hi)
	default:
		err = fmt.Errorf("catalog: unknown entity %q", e)
	}
	return r, err
}

// WriteRows writes the rows' items to DynamoDB, each only if newer.
func (c Copier) WriteRows(ctx context.Context, r Rows) (PutResult, error) {
	var total PutResult
	for _, cu := range r.customers {
		res, err := c.DDB.PutIfNewer(ctx, CustomerItem(cu))
		total.Add(res)
		if err != nil {
			return total, err
		}
	}
	for _, p := range r.products {
		res, err := c.DDB.PutProduct(ctx, p)
		total.Add(res)
		if err != nil {
			return total, err
		}
	}
	for _, o := range r.orders {
		res, err := c.DDB.PutOrder(ctx, o)
		total.Add(res)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// CopyRange copies the entities with lo <= id < hi.
func (c Copier) CopyRange(ctx context.Context, e Entity, lo, hi int64) (PutResult, error) {
	rows, err := c.ReadRange(ctx, e, lo, hi)
	if err != nil {
		return PutResult{}, err
	}
	return c.WriteRows(ctx, rows)
}

// TableOf names the table of an entity's rows. The names are constants, so
// they can be put into SQL text.
func TableOf(e Entity) (string, error) {
	switch e {
	case EntityCustomer:
		return "customers", nil
	case EntityProduct:
		return "products", nil
	case EntityOrder:
		return "orders", nil
	}
	return "", fmt.Errorf("catalog: unknown entity %q", e)
}

// IDSpan returns the largest id of the entity and the number of rows with
// an id from first on.
func (s *PostgresStore) IDSpan(ctx context.Context, e Entity, first int64) (last, rows int64, err error) {
	table, err := TableOf(e)
	if err != nil {
		return 0, 0, err
	}
	err = s.pool.QueryRow(ctx, `SELECT coalesce(max(id), 0), count(*) FILTER (WHERE id >= $1) FROM `+table, first).
		Scan(&last, &rows)
	return last, rows, postgres.MapError(err)
}
