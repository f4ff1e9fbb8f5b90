package main

import (
	"context"
	"fmt"
	"io"
	"math/big"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/errgroup"

	"github.com/shadowread/shadowread/backends/dynamodb"
	"github.com/shadowread/shadowread/backends/postgres"
	"github.com/shadowread/shadowread/bench/internal/catalog"
)

// catalogSize is how much data seed generates.
type catalogSize struct{ products, customers, orders int }

var defaultSize = catalogSize{products: 1000, customers: 200, orders: 3000}

// seedEpoch is when the generated catalog begins.
var seedEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

var (
	categories = []string{"shirts", "bags", "scarves", "shoes", "hats"}
	sizes      = []string{"S", "M", "L"}
	statuses   = []string{"pending", "paid", "shipped", "delivered", "cancelled"}
)

// seed fills a fresh PostgreSQL database with a generated catalog and
// copies it to a new DynamoDB table.
func seed(ctx context.Context, pgURL, ddbURL, table string, size catalogSize, stdout io.Writer) error {
	if size.products < 1 || size.customers < 1 || size.orders < 0 {
		return usageError{"seed needs at least one product and one customer"}
	}
	pool, err := postgres.Open(ctx, pgURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	client, err := dynamodb.New(ctx, dynamodb.WithEndpoint(ddbURL))
	if err != nil {
		return err
	}
	defer client.Close()
	pg, ddb := catalog.NewPostgresStore(pool), catalog.NewDynamoDBStore(client.Client, table)

	if err := pg.Migrate(ctx); err != nil {
		return err
	}
	if err := fill(ctx, pool, size); err != nil {
		return err
	}
	if err := ddb.CreateTable(ctx); err != nil {
		return err
	}
	items, err := copyToDynamoDB(ctx, pg, ddb)
	if err != nil {
		return fmt.Errorf("copying the catalog to DynamoDB: %w", err)
	}
	_, err = fmt.Fprintf(stdout, "products=%d customers=%d orders=%d items=%d\n", size.products, size.customers, size.orders, items)
	return err
}

// fill writes the generated catalog with COPY, table by table.
func fill(ctx context.Context, pool *pgxpool.Pool, size catalogSize) error {
	tables := []struct {
		name    string
		columns []string
		rows    [][]any
	}{
		{"customers", []string{"id", "name", "email", "created_at"}, customerRows(size)},
		{"products", []string{"id", "name", "description", "category", "created_at", "updated_at"}, productRows(size)},
		{"variants", []string{"sku", "product_id", "name", "price", "currency"}, variantRows(size)},
		{"orders", []string{"id", "customer_id", "status", "currency", "total", "created_at", "updated_at"}, nil},
		{"order_lines", []string{"order_id", "line", "sku", "quantity", "unit_price"}, nil},
	}
	tables[3].rows, tables[4].rows = orderRows(size)
	for _, t := range tables {
		if _, err := pool.CopyFrom(ctx, pgx.Identifier{t.name}, t.columns, pgx.CopyFromRows(t.rows)); err != nil {
			return fmt.Errorf("filling %s: %w", t.name, err)
		}
	}
	return nil
}

func customerRows(size catalogSize) [][]any {
	rows := make([][]any, 0, size.customers)
	for id := 1; id <= size.customers; id++ {
		rows = append(rows, []any{id, fmt.Sprintf("Customer %d", id), fmt.Sprintf("customer%d@example.com", id),
			seedEpoch.Add(time.Duration(id) * time.Minute)})
	}
	return rows
}

func productRows(size catalogSize) [][]any {
	rows := make([][]any, 0, size.products)
	for id := 1; id <= size.products; id++ {
		created := seedEpoch.Add(time.Duration(id) * time.Hour)
		// Microseconds, which both stores keep exactly.
		updated := created.Add(time.Duration(id*7919) * time.Microsecond)
		rows = append(rows, []any{id, fmt.Sprintf("Product %d", id), fmt.Sprintf("Product %d, described at some length so the page is not trivially small.", id),
			categories[id%len(categories)], created, updated})
	}
	return rows
}

// variantCount is how many variants product id has: one to three.
func variantCount(id int) int { return 1 + id%3 }

func sku(productID, variant int) string { return fmt.Sprintf("P%d-%s", productID, sizes[variant]) }

// priceCents is the price of a variant, in cents.
func priceCents(productID, variant int) int { return 500 + (productID*37+variant*11)%9500 }

func variantRows(size catalogSize) [][]any {
	var rows [][]any
	for id := 1; id <= size.products; id++ {
		for v := range variantCount(id) {
			rows = append(rows, []any{sku(id, v), id, sizes[v], numeric(priceCents(id, v)), "EUR"})
		}
	}
	return rows
}

// orderRows returns the orders and their lines, one to three lines each.
func orderRows(size catalogSize) (orders, lines [][]any) {
	for id := 1; id <= size.orders; id++ {
		total := 0
		for l := range 1 + id%3 {
			product := 1 + (id*13+l*29)%size.products
			qty, unit := 1+(id+l)%3, priceCents(product, 0)
			total += qty * unit
			lines = append(lines, []any{id, l + 1, sku(product, 0), qty, numeric(unit)})
		}
		created := seedEpoch.Add(time.Duration(id)*17*time.Minute + time.Duration(id*31)*time.Microsecond)
		orders = append(orders, []any{id, 1 + (id*7)%size.customers, statuses[id%len(statuses)], "EUR",
			numeric(total), created, created})
	}
	return orders, lines
}

// numeric is an amount of cents as a NUMERIC(12,2).
func numeric(cents int) pgtype.Numeric {
	return pgtype.Numeric{Int: big.NewInt(int64(cents)), Exp: -2, Valid: true}
}

// copyToDynamoDB copies every customer, product and order to DynamoDB in
// ranges of ids, eight at a time, and returns the items written.
func copyToDynamoDB(ctx context.Context, pg *catalog.PostgresStore, ddb *catalog.DynamoDBStore) (int64, error) {
	const rangeSize = 200
	var written atomic.Int64
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for _, e := range catalog.Entities() {
		last, _, err := pg.IDSpan(ctx, e, 1)
		if err != nil {
			return 0, err
		}
		for lo := int64(1); lo <= last; lo += rangeSize {
			g.Go(func() error {
				res, err := catalog.Copier{PG: pg, DDB: ddb}.CopyRange(gctx, e, lo, lo+rangeSize)
				written.Add(int64(res.Written))
				return err
			})
		}
	}
	err := g.Wait()
	return written.Load(), err
}
