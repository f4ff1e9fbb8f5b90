package catalog

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/backends/postgres"
)

//go:embed schema.sql
var schema string

// PostgresStore is the catalog on PostgreSQL, the source of truth.
type PostgresStore struct {
	pool *pgxpool.Pool
}

var (
	_ ProductStore = (*PostgresStore)(nil)
	_ OrderStore   = (*PostgresStore)(nil)
)

// NewPostgresStore returns a store on pool, typically opened with
// [postgres.Open] for traced queries.
func NewPostgresStore(pool *pgxpool.Pool) *PostgresStore {
	if pool == nil {
		panic("catalog: NewPostgresStore(nil): pass a pool from postgres.Open")
	}
	return &PostgresStore{pool: pool}
}

// Pool returns the store's connection pool.
func (s *PostgresStore) Pool() *pgxpool.Pool { return s.pool }

// Migrate creates the tables and indexes that do not exist yet.
func (s *PostgresStore) Migrate(ctx context.Context) error {
	if _, err := s.pool.Exec(ctx, schema); err != nil {
		return fmt.Errorf("catalog: migrate: %w", err)
	}
	return nil
}

const productSQL = `
SELECT p.id, p.name, p.description, p.category, p.created_at, p.updated_at,
       v.sku, v.name, v.price::text, v.currency
FROM products p LEFT JOIN variants v ON v.product_id = p.id
WHERE p.id >= $1 AND p.id < $2
ORDER BY p.id, v.sku COLLATE "C"` // byte order, as DynamoDB sorts sort keys

// Product implements [ProductStore].
func (s *PostgresStore) Product(ctx context.Context, id int64) (Product, error) {
	products, err := s.ProductsInRange(ctx, id, id+1)
	if err != nil {
		return Product{}, err
	}
	if len(products) == 0 {
		return Product{}, fmt.Errorf("catalog: product %d: %w", id, backends.ErrNotFound)
	}
	return products[0], nil
}

// ProductsInRange returns the products with lo <= id < hi, by id.
func (s *PostgresStore) ProductsInRange(ctx context.Context, lo, hi int64) ([]Product, error) {
	rows, err := s.pool.Query(ctx, productSQL, lo, hi)
	if err != nil {
		return nil, postgres.MapError(err)
	}
	var out []Product
	var p Product
	var sku, name, price, currency *string
	_, err = pgx.ForEachRow(rows, []any{&p.ID, &p.Name, &p.Description, &p.Category, &p.CreatedAt, &p.UpdatedAt,
		&sku, &name, &price, &currency}, func() error {
		if len(out) == 0 || out[len(out)-1].ID != p.ID {
			p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
			p.Variants = []Variant{}
			out = append(out, p)
		}
		if sku != nil {
			last := &out[len(out)-1]
			last.Variants = append(last.Variants, Variant{SKU: *sku, Name: *name, Price: json.Number(*price), Currency: *currency})
		}
		return nil
	})
	return out, postgres.MapError(err)
}

const orderColumns = `o.id, o.customer_id, o.status, o.currency, o.total::text, o.created_at, o.updated_at,
       l.sku, l.quantity, l.unit_price::text`

// Order implements [OrderStore].
func (s *PostgresStore) Order(ctx context.Context, id int64) (Order, error) {
	orders, err := s.OrdersInRange(ctx, id, id+1)
	if err != nil {
		return Order{}, err
	}
	if len(orders) == 0 {
		return Order{}, fmt.Errorf("catalog: order %d: %w", id, backends.ErrNotFound)
	}
	return orders[0], nil
}

// OrdersInRange returns the orders with lo <= id < hi, by id.
func (s *PostgresStore) OrdersInRange(ctx context.Context, lo, hi int64) ([]Order, error) {
	return s.queryOrders(ctx, `SELECT `+orderColumns+`
FROM orders o JOIN order_lines l ON l.order_id = o.id
WHERE o.id >= $1 AND o.id < $2
ORDER BY o.id, l.line`, lo, hi)
}

// CustomerOrders implements [OrderStore]. The row comparison
// (created_at, id) < (cursor) walks the orders_by_customer index.
func (s *PostgresStore) CustomerOrders(ctx context.Context, customerID int64, after Cursor, limit int) ([]Order, error) {
	page := `SELECT * FROM orders WHERE customer_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`
	args := []any{customerID, limit}
	if !after.IsZero() {
		page = `SELECT * FROM orders WHERE customer_id = $1 AND (created_at, id) < ($3, $4)
ORDER BY created_at DESC, id DESC LIMIT $2`
		args = append(args, after.CreatedAt, after.OrderID)
	}
	return s.queryOrders(ctx, `WITH o AS (`+page+`)
SELECT `+orderColumns+`
FROM o JOIN order_lines l ON l.order_id = o.id
ORDER BY o.created_at DESC, o.id DESC, l.line`, args...)
}

// queryOrders runs a query that returns orderColumns, one row per line,
// the lines of an order together and in order.
func (s *PostgresStore) queryOrders(ctx context.Context, sql string, args ...any) ([]Order, error) {
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, postgres.MapError(err)
	}
	out := []Order{}
	var o Order
	var total string
	var l OrderLine
	var unitPrice string
	_, err = pgx.ForEachRow(rows, []any{&o.ID, &o.CustomerID, &o.Status, &o.Currency, &total, &o.CreatedAt, &o.UpdatedAt,
		&l.SKU, &l.Quantity, &unitPrice}, func() error {
		if len(out) == 0 || out[len(out)-1].ID != o.ID {
			o.Total = json.Number(total)
			o.CreatedAt, o.UpdatedAt = o.CreatedAt.UTC(), o.UpdatedAt.UTC()
			o.Lines = nil
			out = append(out, o)
		}
		l.UnitPrice = json.Number(unitPrice)
		last := &out[len(out)-1]
		last.Lines = append(last.Lines, l)
		return nil
	})
	return out, postgres.MapError(err)
}

// MaxIDs returns the largest product and order ids, 0 for an empty table.
func (s *PostgresStore) MaxIDs(ctx context.Context) (product, order int64, err error) {
	err = s.pool.QueryRow(ctx, `SELECT coalesce((SELECT max(id) FROM products), 0), coalesce((SELECT max(id) FROM orders), 0)`).
		Scan(&product, &order)
	return product, order, postgres.MapError(err)
}

// Ping asks the server for the cheapest answer it gives.
func (s *PostgresStore) Ping(ctx context.Context) error {
	return postgres.MapError(s.pool.Ping(ctx))
}
