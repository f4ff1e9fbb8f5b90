package demo

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Keys are the ids the load uses, split between readers and writers: the
// load's writes go to keys that its reads never touch, so a read is never
// compared while a write is between the two stores. (In production such
// reads show up as mismatches that a re-check no longer sees.)
type Keys struct {
	ReaderProducts  []int64
	ReaderCustomers []int64
	// ReaderOrders are the orders of reader customers.
	ReaderOrders []OrderRef
	// WriterCustomers place orders; WriterVariants get new prices.
	WriterCustomers []int64
	WriterVariants  []VariantRef
	// SKUs are the variants orders may contain.
	SKUs []string
}

// OrderRef is an order and the customer who reads it.
type OrderRef struct{ ID, Customer int64 }

// VariantRef names a variant.
type VariantRef struct {
	Product int64
	SKU     string
}

// Writer key counts: the first customers and products by id are the
// writers'.
const (
	writerCustomers = 20
	writerProducts  = 50
)

// LoadKeys reads the ids of the catalog in PostgreSQL.
func LoadKeys(ctx context.Context, pool *pgxpool.Pool) (*Keys, error) {
	k := &Keys{}
	type load struct {
		sql  string
		scan func(pgx.Rows) error
	}
	loads := []load{
		{`SELECT id FROM products ORDER BY id`, func(rows pgx.Rows) error {
			var id int64
			_, err := pgx.ForEachRow(rows, []any{&id}, func() error {
				if id > writerProducts {
					k.ReaderProducts = append(k.ReaderProducts, id)
				}
				return nil
			})
			return err
		}},
		{`SELECT id FROM customers ORDER BY id`, func(rows pgx.Rows) error {
			var id int64
			_, err := pgx.ForEachRow(rows, []any{&id}, func() error {
				if id > writerCustomers {
					k.ReaderCustomers = append(k.ReaderCustomers, id)
				} else {
					k.WriterCustomers = append(k.WriterCustomers, id)
				}
				return nil
			})
			return err
		}},
		{`SELECT id, customer_id FROM orders ORDER BY id`, func(rows pgx.Rows) error {
			var o OrderRef
			_, err := pgx.ForEachRow(rows, []any{&o.ID, &o.Customer}, func() error {
				if o.Customer > writerCustomers {
					k.ReaderOrders = append(k.ReaderOrders, o)
				}
				return nil
			})
			return err
		}},
		{`SELECT product_id, sku FROM variants ORDER BY sku`, func(rows pgx.Rows) error {
			var v VariantRef
			_, err := pgx.ForEachRow(rows, []any{&v.Product, &v.SKU}, func() error {
				k.SKUs = append(k.SKUs, v.SKU)
				if v.Product <= writerProducts {
					k.WriterVariants = append(k.WriterVariants, v)
				}
				return nil
			})
			return err
		}},
	}
	for _, l := range loads {
		rows, err := pool.Query(ctx, l.sql)
		if err != nil {
			return nil, err
		}
		if err := l.scan(rows); err != nil {
			return nil, err
		}
	}
	if len(k.ReaderProducts) == 0 || len(k.ReaderCustomers) == 0 || len(k.ReaderOrders) == 0 || len(k.WriterVariants) == 0 || len(k.WriterCustomers) == 0 {
		return nil, fmt.Errorf("demo: the catalog is too small for the load: %d products, %d customers (the first %d products and %d customers are the writers')",
			len(k.ReaderProducts)+writerProducts, len(k.ReaderCustomers)+len(k.WriterCustomers), writerProducts, writerCustomers)
	}
	return k, nil
}
