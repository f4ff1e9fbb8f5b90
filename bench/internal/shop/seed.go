package shop

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// Size is how much data [Seed] generates.
type Size struct{ Products, Customers, Orders int }

// seedEpoch is when the generated shop begins.
var seedEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

var (
	categories = []string{"shirts", "bags", "scarves", "shoes", "hats"}
	sizes      = []string{"S", "M", "L"}
	statuses   = []string{"pending", "paid", "shipped", "delivered", "cancelled"}
)

// Seed creates the schema and the table and writes the same generated rows,
// the same on every run, to both stores. It returns the DynamoDB items
// written.
func Seed(ctx context.Context, pg *PostgresStore, ddb *DynamoDBStore, size Size) (items int, err error) {
	if size.Products < 1 || size.Customers < 1 || size.Orders < 0 {
		return 0, fmt.Errorf("shop: seed %+v: want a product and a customer at least", size)
	}
	products, orders := Generate(size)
	if err := pg.CreateSchema(ctx); err != nil {
		return 0, err
	}
	if err := pg.insert(ctx, products, orders); err != nil {
		return 0, err
	}
	if err := ddb.CreateTable(ctx); err != nil {
		return 0, err
	}
	return ddb.Put(ctx, products, orders)
}

// Generate returns products with one to three variants and orders with one
// to three lines, spread over the customers.
func Generate(size Size) ([]Product, []Order) {
	products := make([]Product, size.Products)
	for i := range products {
		id := i + 1
		p := Product{ID: int64(id), Name: fmt.Sprintf("Product %d", id), Category: categories[id%len(categories)],
			Description: fmt.Sprintf("Product %d, described at some length so the page is not trivially small.", id),
			// Microseconds, which both stores keep exactly.
			UpdatedAt: seedEpoch.Add(time.Duration(id)*time.Hour + time.Duration(id*7919)*time.Microsecond)}
		for v := range 1 + id%3 {
			p.Variants = append(p.Variants, Variant{SKU: sku(id, v), Name: sizes[v], Price: amount(priceCents(id, v)), Currency: "EUR"})
		}
		// By SKU, as PostgreSQL reads them.
		slices.SortFunc(p.Variants, func(a, b Variant) int { return strings.Compare(a.SKU, b.SKU) })
		products[i] = p
	}
	orders := make([]Order, size.Orders)
	for i := range orders {
		id := i + 1
		o := Order{ID: int64(id), CustomerID: int64(1 + (id*7)%size.Customers), Status: statuses[id%len(statuses)], Currency: "EUR",
			CreatedAt: seedEpoch.Add(time.Duration(id)*17*time.Minute + time.Duration(id*31)*time.Microsecond)}
		total := 0
		for l := range 1 + id%3 {
			product := 1 + (id*13+l*29)%size.Products
			qty, unit := 1+(id+l)%3, priceCents(product, 0)
			total += qty * unit
			o.Lines = append(o.Lines, OrderLine{SKU: sku(product, 0), Quantity: qty, UnitPrice: amount(unit)})
		}
		o.Total = amount(total)
		orders[i] = o
	}
	return products, orders
}

func sku(product, variant int) string { return fmt.Sprintf("P%d-%s", product, sizes[variant]) }

func priceCents(product, variant int) int { return 500 + (product*37+variant*11)%9500 }

// amount is cents as NUMERIC(12,2) spells it.
func amount(cents int) Amount { return Amount(fmt.Sprintf("%d.%02d", cents/100, cents%100)) }

// insert writes the rows with COPY, table by table.
func (s *PostgresStore) insert(ctx context.Context, products []Product, orders []Order) error {
	var rows struct{ products, variants, orders, lines [][]any }
	for _, p := range products {
		rows.products = append(rows.products, []any{p.ID, p.Name, p.Description, p.Category, p.UpdatedAt})
		for _, v := range p.Variants {
			rows.variants = append(rows.variants, []any{p.ID, v.SKU, v.Name, numeric(v.Price), v.Currency})
		}
	}
	for _, o := range orders {
		rows.orders = append(rows.orders, []any{o.ID, o.CustomerID, o.Status, numeric(o.Total), o.Currency, o.CreatedAt})
		for i, l := range o.Lines {
			rows.lines = append(rows.lines, []any{o.ID, i + 1, l.SKU, l.Quantity, numeric(l.UnitPrice)})
		}
	}
	for _, t := range []struct {
		name    string
		columns []string
		rows    [][]any
	}{
		{"products", []string{"id", "name", "description", "category", "updated_at"}, rows.products},
		{"variants", []string{"product_id", "sku", "name", "price", "currency"}, rows.variants},
		{"orders", []string{"id", "customer_id", "status", "total", "currency", "created_at"}, rows.orders},
		{"order_lines", []string{"order_id", "line", "sku", "quantity", "unit_price"}, rows.lines},
	} {
		if _, err := s.pool.CopyFrom(ctx, pgx.Identifier{t.name}, t.columns, pgx.CopyFromRows(t.rows)); err != nil {
			return fmt.Errorf("shop: filling %s: %w", t.name, err)
		}
	}
	return nil
}

func numeric(a Amount) pgtype.Numeric {
	var n pgtype.Numeric
	_ = n.Scan(string(a)) // a is generated, always a decimal
	return n
}
