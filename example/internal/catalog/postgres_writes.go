package catalog

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/backends/postgres"
)

// The copies to PostgreSQL once DynamoDB is the source of truth (write mode
// dynamodb-first): an entity's state as DynamoDB holds it is written to
// PostgreSQL only if PostgreSQL's version is not newer, the mirror of
// [DynamoDBStore.PutIfNewer], so replays and late copies are harmless.

// CustomersInRange returns the customers with lo <= id < hi, by id.
func (s *PostgresStore) CustomersInRange(ctx context.Context, lo, hi int64) ([]Customer, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, name, email, created_at FROM customers WHERE id >= $1 AND id < $2 ORDER BY id`, lo, hi)
	if err != nil {
		return nil, postgres.MapError(err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Customer, error) {
		var c Customer
		err := row.Scan(&c.ID, &c.Name, &c.Email, &c.CreatedAt)
		c.CreatedAt = c.CreatedAt.UTC()
		return c, err
	})
	return out, postgres.MapError(err)
}

// UpsertProduct writes the product and its variants unless PostgreSQL has
// a newer version. A version equal to PostgreSQL's is written again: on
// DynamoDB a price change writes its variant before it moves the product's
// version, so a later read of the same version can hold more.
func (s *PostgresStore) UpsertProduct(ctx context.Context, p Product) error {
	skus := make([]string, len(p.Variants))
	names := make([]string, len(p.Variants))
	prices := make([]string, len(p.Variants))
	currencies := make([]string, len(p.Variants))
	for i, v := range p.Variants {
		skus[i], names[i], prices[i], currencies[i] = v.SKU, v.Name, v.Price.String(), v.Currency
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO products (id, name, description, category, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description, category = excluded.category,
	created_at = excluded.created_at, updated_at = excluded.updated_at
WHERE products.updated_at <= excluded.updated_at`, p.ID, p.Name, p.Description, p.Category, p.CreatedAt, p.UpdatedAt)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO variants (sku, product_id, name, price, currency)
SELECT t.sku, $1, t.name, t.price::numeric, t.currency FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS t (sku, name, price, currency)
ON CONFLICT (sku) DO UPDATE SET name = excluded.name, price = excluded.price, currency = excluded.currency`,
			p.ID, skus, names, prices, currencies)
		return err
	})
	return postgres.MapError(err)
}

// ErrIDCollision: a copy of an order would overwrite another customer's
// order that has the same id in PostgreSQL. It is kept in the repair log
// for a person to resolve, never applied.
var ErrIDCollision = errors.New("catalog: two orders share an id")

// UpsertOrder writes the order and its lines unless PostgreSQL has it at
// least as fresh, and keeps the order-id sequence above the id, so that ids
// PostgreSQL hands out after a switch back follow DynamoDB's.
func (s *PostgresStore) UpsertOrder(ctx context.Context, o Order) error {
	skus := make([]string, len(o.Lines))
	quantities := make([]int32, len(o.Lines))
	prices := make([]string, len(o.Lines))
	for i, l := range o.Lines {
		skus[i], quantities[i], prices[i] = l.SKU, int32(l.Quantity), l.UnitPrice.String()
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// An order of another customer under the same id is two orders
		// given one id, never a newer version of one: refuse it, so it is
		// logged and kept in the repair log instead of overwriting the
		// other order.
		var owner int64
		err := tx.QueryRow(ctx, `SELECT customer_id FROM orders WHERE id = $1`, o.ID).Scan(&owner)
		switch {
		case err == nil && owner != o.CustomerID:
			return fmt.Errorf("catalog: order id %d belongs to customer %d in PostgreSQL, not %d: %w", o.ID, owner, o.CustomerID, ErrIDCollision)
		case err != nil && !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		tag, err := tx.Exec(ctx, `INSERT INTO orders (id, customer_id, status, currency, total, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5::numeric, $6, $7)
ON CONFLICT (id) DO UPDATE SET status = excluded.status, currency = excluded.currency, total = excluded.total,
	updated_at = excluded.updated_at
WHERE orders.updated_at < excluded.updated_at`, o.ID, o.CustomerID, o.Status, o.Currency, o.Total.String(), o.CreatedAt, o.UpdatedAt)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM order_lines WHERE order_id = $1`, o.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO order_lines (order_id, line, sku, quantity, unit_price)
SELECT $1, t.line, t.sku, t.quantity, t.price::numeric
FROM unnest($2::text[], $3::int[], $4::text[]) WITH ORDINALITY AS t (sku, quantity, price, line)`, o.ID, skus, quantities, prices); err != nil {
			return err
		}
		// One writer at a time moves the sequence, so it never goes back.
		_, err = tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('orders.id')),
	setval(pg_get_serial_sequence('orders', 'id'),
		greatest($1, coalesce(pg_sequence_last_value(pg_get_serial_sequence('orders', 'id')::regclass), 0)))`, o.ID)
		return err
	})
	return postgres.MapError(err)
}

// CopyToPostgres copies an entity's current DynamoDB state to PostgreSQL.
// An entity DynamoDB does not have is left alone: the catalog never
// deletes, so it is a write that never reached DynamoDB.
func CopyToPostgres(ctx context.Context, pg *PostgresStore, ddb *DynamoDBStore, e Entity, id int64) error {
	var err error
	switch e {
	case EntityProduct:
		var p Product
		if p, err = ddb.Product(ctx, id); err == nil {
			err = pg.UpsertProduct(ctx, p)
		}
	case EntityOrder:
		var o Order
		if o, err = ddb.Order(ctx, id); err == nil {
			err = pg.UpsertOrder(ctx, o)
		}
	default:
		err = fmt.Errorf("catalog: unknown entity %q", e)
	}
	if errors.Is(err, backends.ErrNotFound) {
		return nil
	}
	return err
}
