package catalog

import (
	"context"

	"github.com/shadowread/shadowread/backends"
)

// ProductStore reads products. Both stores implement it; a handler gets the
// one of the request's backend from [Stores.Products].
type ProductStore interface {
	// Product returns the product with its variants ordered by SKU, or an
	// error that is [backends.ErrNotFound].
	Product(ctx context.Context, id int64) (Product, error)
}

// OrderStore reads orders.
type OrderStore interface {
	// Order returns the order with its lines, or an error that is
	// [backends.ErrNotFound].
	Order(ctx context.Context, id int64) (Order, error)
	// CustomerOrders returns at most limit orders of the customer that come
	// after the cursor, newest first (created_at, then id, descending). An
	// unknown customer has no orders.
	CustomerOrders(ctx context.Context, customerID int64, after Cursor, limit int) ([]Order, error)
}

// Stores holds one implementation of each store interface per backend.
type Stores struct {
	Products *backends.Router[ProductStore]
	Orders   *backends.Router[OrderStore]
}

// NewStores routes reads to pg or ddb.
func NewStores(pg *PostgresStore, ddb *DynamoDBStore) Stores {
	if pg == nil || ddb == nil {
		panic("catalog: NewStores needs both stores: catalog.NewStores(catalog.NewPostgresStore(pool), catalog.NewDynamoDBStore(client, table))")
	}
	return Stores{
		Products: backends.NewRouter(map[backends.Name]ProductStore{backends.Postgres: pg, backends.DynamoDB: ddb}),
		Orders:   backends.NewRouter(map[backends.Name]OrderStore{backends.Postgres: pg, backends.DynamoDB: ddb}),
	}
}
