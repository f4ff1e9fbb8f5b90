package demo

import (
	"context"
	"fmt"
	"math/big"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Dataset sizes the generated catalog.
type Dataset struct {
	Customers, Products, Orders int
	// Seed makes the data reproducible.
	Seed uint64
}

// SeedStats counts what [Seed] inserted.
type SeedStats struct {
	Customers, Products, Variants, Orders, Lines int
}

// Seed fills the empty catalog tables with generated data: customers,
// products with one to three variants, and orders over the two years
// before now, with timestamps in microseconds as timestamptz keeps them.
// It uses COPY, the fastest way into PostgreSQL.
func Seed(ctx context.Context, pool *pgxpool.Pool, d Dataset, now time.Time) (SeedStats, error) {
	g := newGenerator(d, now)
	customers, products, variants := g.customers(), g.products(), []variantRow(nil)
	for _, p := range products {
		variants = append(variants, p.variants...)
	}
	orders, lines := g.orders(variants)
	stats := SeedStats{Customers: len(customers), Products: len(products), Variants: len(variants), Orders: len(orders), Lines: len(lines)}

	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		copies := []struct {
			table   string
			columns []string
			rows    [][]any
		}{
			{"customers", []string{"id", "name", "email", "created_at"}, customers},
			{"products", []string{"id", "name", "description", "category", "created_at", "updated_at"}, rowsOf(products, productRow.values)},
			{"variants", []string{"sku", "product_id", "name", "price", "currency"}, rowsOf(variants, variantRow.values)},
			{"orders", []string{"id", "customer_id", "status", "currency", "total", "created_at", "updated_at"}, orders},
			{"order_lines", []string{"order_id", "line", "sku", "quantity", "unit_price"}, lines},
		}
		for _, c := range copies {
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{c.table}, c.columns, pgx.CopyFromRows(c.rows)); err != nil {
				return fmt.Errorf("demo: copy into %s: %w", c.table, err)
			}
		}
		// New orders continue after the seeded ids.
		_, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence('orders', 'id'), (SELECT max(id) FROM orders))`)
		return err
	})
	if err != nil {
		return stats, err
	}
	// Fresh statistics, so the planner uses the indexes from the start.
	_, err = pool.Exec(ctx, `ANALYZE`)
	return stats, err
}

// generator makes the data from one random source, in a fixed order, so a
// seed always gives the same catalog (times relative to now).
type generator struct {
	d   Dataset
	rng *rand.Rand
	now time.Time
}

func newGenerator(d Dataset, now time.Time) *generator {
	return &generator{d: d, rng: rand.New(rand.NewPCG(d.Seed, d.Seed^0x9e3779b97f4a7c15)), now: now.UTC()}
}

// ago returns a time between lo and hi before now, with random
// microseconds.
func (g *generator) ago(lo, hi time.Duration) time.Time {
	d := lo + time.Duration(g.rng.Int64N(int64(hi-lo)))
	return g.now.Add(-d).Truncate(time.Microsecond)
}

const day = 24 * time.Hour

func (g *generator) customers() [][]any {
	rows := make([][]any, g.d.Customers)
	for i := range rows {
		id := int64(i + 1)
		rows[i] = []any{id, fmt.Sprintf("%s %s", pick(g.rng, firstNames), pick(g.rng, lastNames)),
			fmt.Sprintf("customer-%d@example.com", id), g.ago(30*day, 900*day)}
	}
	return rows
}

type productRow struct {
	id                          int64
	name, description, category string
	createdAt, updatedAt        time.Time
	variants                    []variantRow
}

func (p productRow) values() []any {
	return []any{p.id, p.name, p.description, p.category, p.createdAt, p.updatedAt}
}

type variantRow struct {
	sku       string
	productID int64
	name      string
	cents     int64
}

func (v variantRow) values() []any {
	return []any{v.sku, v.productID, v.name, money(v.cents), "EUR"}
}

func (g *generator) products() []productRow {
	rows := make([]productRow, g.d.Products)
	for i := range rows {
		id := int64(i + 1)
		kind := pick(g.rng, kinds)
		material := pick(g.rng, materials)
		created := g.ago(60*day, 730*day)
		p := productRow{
			id:          id,
			name:        fmt.Sprintf("%s %s %s", pick(g.rng, adjectives), material, kind.noun),
			description: fmt.Sprintf("A %s %s of %s, made to last.", pick(g.rng, qualities), kind.noun, material),
			category:    kind.category,
			createdAt:   created,
			updatedAt:   created.Add(time.Duration(g.rng.Int64N(int64(g.now.Sub(created) - time.Hour)))).Truncate(time.Microsecond),
		}
		// Shop prices: whole euros with a usual ending (.99, .50, .00 ...).
		base := 5 + g.rng.Int64N(250)
		ending := pick(g.rng, priceEndings)
		sizes := sizeSets[g.rng.IntN(len(sizeSets))]
		for j, size := range sizes {
			sku := fmt.Sprintf("P%d", id)
			if len(sizes) > 1 {
				sku += "-" + size
			}
			p.variants = append(p.variants, variantRow{sku: sku, productID: id, name: size, cents: (base+int64(5*j))*100 + ending})
		}
		rows[i] = p
	}
	return rows
}

// orders makes the orders, ids in the order of their creation, customers
// drawn with a skew so that some order often (their lists span pages).
func (g *generator) orders(variants []variantRow) (orders, lines [][]any) {
	created := make([]time.Time, g.d.Orders)
	for i := range created {
		created[i] = g.ago(time.Hour, 700*day)
	}
	slices.SortFunc(created, func(a, b time.Time) int { return a.Compare(b) })
	for i, at := range created {
		id := int64(i + 1)
		u := g.rng.Float64()
		customer := 1 + int64(u*u*float64(g.d.Customers)) // skewed towards low ids
		var total int64
		for line := range 1 + g.rng.IntN(4) {
			v := variants[g.rng.IntN(len(variants))]
			qty := 1 + g.rng.Int64N(3)
			total += qty * v.cents
			lines = append(lines, []any{id, int32(line + 1), v.sku, int32(qty), money(v.cents)})
		}
		age := g.now.Sub(at)
		status := "delivered"
		switch {
		case age < day:
			status = "pending"
		case age < 7*day:
			status = "paid"
		case age < 30*day:
			status = "shipped"
		case g.rng.IntN(10) == 0:
			status = "cancelled"
		}
		updated := at.Add(time.Duration(g.rng.Int64N(int64(min(age, 30*day))))).Truncate(time.Microsecond)
		orders = append(orders, []any{id, customer, status, "EUR", money(total), at, updated})
	}
	return orders, lines
}

// money is an exact NUMERIC(12,2) value of cents.
func money(cents int64) pgtype.Numeric {
	return pgtype.Numeric{Int: big.NewInt(cents), Exp: -2, Valid: true}
}

func rowsOf[T any](items []T, values func(T) []any) [][]any {
	rows := make([][]any, len(items))
	for i, it := range items {
		rows[i] = values(it)
	}
	return rows
}

func pick[T any](rng *rand.Rand, from []T) T { return from[rng.IntN(len(from))] }

var (
	firstNames   = []string{"Ada", "Bo", "Chen", "Dana", "Emil", "Fatima", "Goran", "Hana", "Ines", "Jonas", "Kemal", "Lena", "Mateo", "Nora", "Omar", "Pia"}
	lastNames    = []string{"Alvarez", "Berg", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hansen", "Ito", "Jensen", "Kowalski", "Larsen", "Moreau", "Novak"}
	adjectives   = []string{"Classic", "Everyday", "Relaxed", "Slim", "Heavy", "Light", "Vintage", "Washed", "Organic", "Recycled", "Structured", "Soft"}
	materials    = []string{"linen", "cotton", "wool", "canvas", "denim", "leather", "cashmere", "silk", "hemp", "corduroy"}
	qualities    = []string{"durable", "breathable", "warm", "light", "hard-wearing", "soft", "water-repellent"}
	priceEndings = []int64{99, 50, 0, 90, 95, 49, 25, 80}
	sizeSets     = [][]string{{"One size"}, {"S", "M", "L"}, {"M", "L"}, {"S", "M", "L"}}
	kinds        = []struct{ noun, category string }{
		{"shirt", "shirts"}, {"overshirt", "shirts"}, {"tote", "bags"}, {"backpack", "bags"},
		{"scarf", "accessories"}, {"beanie", "accessories"}, {"jacket", "outerwear"}, {"coat", "outerwear"},
		{"trousers", "trousers"}, {"shorts", "trousers"}, {"sweater", "knitwear"}, {"cardigan", "knitwear"},
	}
)
