package demo

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// SeparateWriteKeys keeps the load's writes on keys that its reads never
// touch. It is false: writes go to the keys reads use, as in production. A
// read compared while its key's write is between the two stores differs for
// a moment; the middleware's re-check reads the pair again and such reads
// end as transient, not mismatch. Drifted keys are never written either
// way: a new price would repair a drifted product, and a new order would
// push a drifted order off the first page of its customer's list.
const SeparateWriteKeys = false

// Keys are the ids the load uses, split between readers and writers (see
// [SeparateWriteKeys]), and cold keys that no request touches: rows only a
// verification of the whole stores compares.
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
	// ColdProducts and ColdOrders (of ColdCustomers) are never requested.
	ColdProducts  []int64
	ColdCustomers []int64
	ColdOrders    []OrderRef
}

// OrderRef is an order and the customer who reads it.
type OrderRef struct{ ID, Customer int64 }

// VariantRef names a variant.
type VariantRef struct {
	Product int64
	SKU     string
}

// Key counts: with separate write keys, the first customers and products
// by id are the writers'; the last ones by id are cold.
const (
	writerCustomers = 20
	writerProducts  = 50
	coldCustomers   = 10
	coldProducts    = 20
)

// LoadKeys reads the ids of the catalog in PostgreSQL.
func LoadKeys(ctx context.Context, pool *pgxpool.Pool) (*Keys, error) {
	k := &Keys{}
	var maxProduct, maxCustomer int64
	if err := pool.QueryRow(ctx, `SELECT coalesce((SELECT max(id) FROM products), 0), coalesce((SELECT max(id) FROM customers), 0)`).
		Scan(&maxProduct, &maxCustomer); err != nil {
		return nil, err
	}
	coldProduct := func(id int64) bool { return id > maxProduct-coldProducts }
	coldCustomer := func(id int64) bool { return id > maxCustomer-coldCustomers }
	writerProduct := func(id int64) bool { return SeparateWriteKeys && id <= writerProducts }
	writerCustomer := func(id int64) bool { return SeparateWriteKeys && id <= writerCustomers }
	type load struct {
		sql  string
		scan func(pgx.Rows) error
	}
	loads := []load{
		{`SELECT id FROM products ORDER BY id`, func(rows pgx.Rows) error {
			var id int64
			_, err := pgx.ForEachRow(rows, []any{&id}, func() error {
				switch {
				case coldProduct(id):
					k.ColdProducts = append(k.ColdProducts, id)
				case !writerProduct(id):
					k.ReaderProducts = append(k.ReaderProducts, id)
				}
				return nil
			})
			return err
		}},
		{`SELECT id FROM customers ORDER BY id`, func(rows pgx.Rows) error {
			var id int64
			_, err := pgx.ForEachRow(rows, []any{&id}, func() error {
				switch {
				case coldCustomer(id):
					k.ColdCustomers = append(k.ColdCustomers, id)
				case writerCustomer(id):
					k.WriterCustomers = append(k.WriterCustomers, id)
				default:
					k.ReaderCustomers = append(k.ReaderCustomers, id)
					if !SeparateWriteKeys {
						k.WriterCustomers = append(k.WriterCustomers, id)
					}
				}
				return nil
			})
			return err
		}},
		{`SELECT id, customer_id FROM orders ORDER BY id`, func(rows pgx.Rows) error {
			var o OrderRef
			_, err := pgx.ForEachRow(rows, []any{&o.ID, &o.Customer}, func() error {
				switch {
				case coldCustomer(o.Customer):
					k.ColdOrders = append(k.ColdOrders, o)
				case !writerCustomer(o.Customer):
					k.ReaderOrders = append(k.ReaderOrders, o)
				}
				return nil
			})
			return err
		}},
		{`SELECT product_id, sku FROM variants ORDER BY sku`, func(rows pgx.Rows) error {
			var v VariantRef
			_, err := pgx.ForEachRow(rows, []any{&v.Product, &v.SKU}, func() error {
				if coldProduct(v.Product) {
					return nil
				}
				k.SKUs = append(k.SKUs, v.SKU)
				if writerProduct(v.Product) || !SeparateWriteKeys {
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
	if len(k.ReaderProducts) == 0 || len(k.ReaderCustomers) == 0 || len(k.ReaderOrders) == 0 || len(k.WriterVariants) == 0 ||
		len(k.WriterCustomers) == 0 || len(k.ColdProducts) == 0 || len(k.ColdOrders) < 4 {
		return nil, fmt.Errorf("demo: the catalog is too small for the load: %d products, %d customers (the first %d products and %d customers are the writers', the last %d and %d cold)",
			maxProduct, maxCustomer, writerProducts, writerCustomers, coldProducts, coldCustomers)
	}
	return k, nil
}
