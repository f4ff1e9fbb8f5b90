package shop

import (
	"context"
	_ "embed"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/backends/postgres"
)

//go:embed schema.sql
var schema string

// PostgresStore is the shop on PostgreSQL.
type PostgresStore struct{ pool *pgxpool.Pool }

var _ Store = (*PostgresStore)(nil)

// NewPostgresStore returns a store on pool (from [postgres.Open]).
func NewPostgresStore(pool *pgxpool.Pool) *PostgresStore {
	if pool == nil {
		panic("shop: NewPostgresStore(nil): pass a pool from postgres.Open")
	}
	return &PostgresStore{pool: pool}
}

// CreateSchema creates the shop's tables in an empty database.
func (s *PostgresStore) CreateSchema(ctx context.Context) error {
	if _, err := s.pool.Exec(ctx, schema); err != nil {
		return fmt.Errorf("shop: create schema: %w", err)
	}
	return nil
}

// Product implements [Store]: the product joined to its variants, one row
// per variant, by SKU in byte order as DynamoDB's list was written.
func (s *PostgresStore) Product(ctx context.Context, id int64) (Product, error) {
	rows, err := s.pool.Query(ctx, `
SELECT p.id, p.category, p.name, p.description, p.updated_at, v.sku, v.name, v.price::text, v.currency
FROM products p JOIN variants v ON v.product_id = p.id
WHERE p.id = $1 ORDER BY v.sku COLLATE "C"`, id)
	if err != nil {
		return Product{}, postgres.MapError(err)
	}
	var p Product
	var v Variant
	_, err = pgx.ForEachRow(rows, []any{&p.ID, &p.Category, &p.Name, &p.Description, &p.UpdatedAt,
		&v.SKU, &v.Name, (*string)(&v.Price), &v.Currency}, func() error {
		p.Variants = append(p.Variants, v)
		return nil
	})
	if err == nil && p.ID == 0 {
		err = fmt.Errorf("shop: product %d: %w", id, backends.ErrNotFound)
	}
	p.UpdatedAt = p.UpdatedAt.UTC()
	return p, postgres.MapError(err)
}

// Order implements [Store].
func (s *PostgresStore) Order(ctx context.Context, id int64) (Order, error) {
	orders, err := s.orders(ctx, `SELECT * FROM orders WHERE id = $1`, id)
	if err == nil && len(orders) == 0 {
		err = fmt.Errorf("shop: order %d: %w", id, backends.ErrNotFound)
	}
	if err != nil {
		return Order{}, err
	}
	return orders[0], nil
}

// CustomerOrders implements [Store].
func (s *PostgresStore) CustomerOrders(ctx context.Context, customerID int64, limit int) ([]Order, error) {
	return s.orders(ctx, `SELECT * FROM orders WHERE customer_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
		customerID, limit)
}

// orders runs a query of orders rows and joins their lines, keeping the
// query's order of the orders.
func (s *PostgresStore) orders(ctx context.Context, query string, args ...any) ([]Order, error) {
	rows, err := s.pool.Query(ctx, `
WITH o AS (`+query+`)
SELECT o.id, o.customer_id, o.status, o.total::text, o.currency, o.created_at, l.sku, l.quantity, l.unit_price::text
FROM o JOIN order_lines l ON l.order_id = o.id
ORDER BY o.created_at DESC, o.id DESC, l.line`, args...)
	if err != nil {
		return nil, postgres.MapError(err)
	}
	out := []Order{}
	var o Order
	var l OrderLine
	_, err = pgx.ForEachRow(rows, []any{&o.ID, &o.CustomerID, &o.Status, (*string)(&o.Total), &o.Currency, &o.CreatedAt,
		&l.SKU, &l.Quantity, (*string)(&l.UnitPrice)}, func() error {
		if len(out) == 0 || out[len(out)-1].ID != o.ID {
			o.CreatedAt = o.CreatedAt.UTC()
			out = append(out, o)
		}
		last := &out[len(out)-1]
		last.Lines = append(last.Lines, l)
		return nil
	})
	return out, postgres.MapError(err)
}
