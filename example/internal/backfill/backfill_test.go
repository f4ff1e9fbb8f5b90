package backfill_test

import (
	"context"
	"errors"
	"testing"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/example/internal/backfill"
	"github.com/shadowread/shadowread/example/internal/catalog"
	"github.com/shadowread/shadowread/example/internal/catalogtest"
	"github.com/shadowread/shadowread/internal/testenv"
)

// seedSmall holds 3 products with 5 variants and 6 orders: 14 items.
const (
	smallProductItems = 3 + 5
	smallOrderItems   = 6
)

// TestBackfillIdempotent runs the backfill twice: the second run finds every
// item as fresh as its row and writes nothing.
func TestBackfillIdempotent(t *testing.T) {
	e := catalogtest.NewEnv(t, testenv.DynamoDBEndpoint(t))
	e.SeedSmall(t)

	first := e.Backfill(t)
	second := e.Backfill(t, backfill.WithRestart())
	tests := []struct {
		name                   string
		got                    backfill.Progress
		rows, written, skipped int64
		reason                 string
	}{
		{"first run, products", first[catalog.EntityProduct], 3, smallProductItems, 0, "an empty table takes every item"},
		{"first run, orders", first[catalog.EntityOrder], 6, smallOrderItems, 0, "an empty table takes every item"},
		{"second run, products", second[catalog.EntityProduct], 3, 0, smallProductItems, "every item is as fresh as its row"},
		{"second run, orders", second[catalog.EntityOrder], 6, 0, smallOrderItems, "every item is as fresh as its row"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got.Rows != tt.rows || tt.got.Written != tt.written || tt.got.Skipped != tt.skipped {
				t.Errorf("rows %d, written %d, skipped %d; want %d, %d, %d (%s)",
					tt.got.Rows, tt.got.Written, tt.got.Skipped, tt.rows, tt.written, tt.skipped, tt.reason)
			}
		})
	}
	// Without a restart, the checkpoints say everything is copied.
	third := e.Backfill(t)
	if p := third[catalog.EntityOrder]; p.TotalRows != 0 || p.Rows != 0 {
		t.Errorf("a third run from the checkpoint read %d of %d rows, want none", p.Rows, p.TotalRows)
	}
}

// TestBackfillNeverOverwritesNewer gives PostgreSQL rows that are older,
// as old, and newer than the items in DynamoDB, as a backfill that read a
// row before a dual write changed it would see them. Only newer rows and
// missing items are written.
func TestBackfillNeverOverwritesNewer(t *testing.T) {
	e := catalogtest.NewEnv(t, testenv.DynamoDBEndpoint(t))
	e.SeedSmall(t)
	e.Backfill(t)
	ctx := context.Background()
	h := catalog.NewRouter(e.Stores, nil)

	// Product 1: the row goes back in time with another name: older.
	e.Exec(t, `UPDATE products SET name = 'Old name', updated_at = updated_at - interval '1 hour' WHERE id = 1`)
	// Product 2: another name, the same version: as old.
	e.Exec(t, `UPDATE products SET name = 'Same version' WHERE id = 2`)
	// Product 3: a new name and a later version: newer.
	e.Exec(t, `UPDATE products SET name = 'New name', updated_at = updated_at + interval '1 second' WHERE id = 3`)
	// Order 10: missing in DynamoDB.
	o, err := e.PG.Order(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.DDB.Client().DeleteItem(ctx, catalogtest.DeleteInput(e, catalog.OrderKey(o))); err != nil {
		t.Fatal(err)
	}

	stats := e.Backfill(t, backfill.WithRestart())

	tests := []struct {
		name, path string
		wantName   string
		reason     string
	}{
		{"older row", "/products/1", "Linen shirt", "the item keeps the newer name: an old row never overwrites it"},
		{"same version", "/products/2", "Canvas tote", "an item as fresh as the row is left alone"},
		{"newer row", "/products/3", "New name", "a newer row replaces the item"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := catalogtest.FromStore(t, h, backends.DynamoDB, tt.path)
			var p catalog.Product
			catalogtest.Decode(t, status, body, &p)
			if p.Name != tt.wantName {
				t.Errorf("name %q, want %q (%s)", p.Name, tt.wantName, tt.reason)
			}
		})
	}
	t.Run("missing item", func(t *testing.T) {
		if status, body := catalogtest.FromStore(t, h, backends.DynamoDB, "/orders/10"); status != 200 {
			t.Errorf("order 10: status %d (%s), want 200: a missing item is written", status, body)
		}
	})
	// Product 3's META and its one variant, and order 10.
	if p := stats[catalog.EntityProduct]; p.Written != 2 || p.Skipped != smallProductItems-2 {
		t.Errorf("products: written %d, skipped %d; want 2, %d", p.Written, p.Skipped, smallProductItems-2)
	}
	if p := stats[catalog.EntityOrder]; p.Written != 1 || p.Skipped != smallOrderItems-1 {
		t.Errorf("orders: written %d, skipped %d; want 1, %d", p.Written, p.Skipped, smallOrderItems-1)
	}
}

// TestBackfillResumes interrupts a backfill after its first range and runs
// it again: the second run starts at the checkpoint and completes the copy.
func TestBackfillResumes(t *testing.T) {
	e := catalogtest.NewEnv(t, testenv.DynamoDBEndpoint(t))
	e.SeedSmall(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	var reports int
	_, err := backfill.Run(ctx, e.PG, e.DDB,
		backfill.WithRangeSize(1), backfill.WithConcurrency(1, 1),
		backfill.WithProgress(func(backfill.Progress) {
			reports++
			cancel() // interrupt after the first range
		}))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted backfill: %v, want context.Canceled", err)
	}
	if reports != 1 {
		t.Fatalf("%d ranges reported before the interruption took effect, want 1", reports)
	}

	// Customers are copied first: customer 1 was, before the interruption.
	stats := e.Backfill(t, backfill.WithRangeSize(1), backfill.WithConcurrency(4, 2))
	customers := stats[catalog.EntityCustomer]
	if customers.TotalRows != 1 || customers.Rows != 1 {
		t.Errorf("resumed run read %d of %d customer rows, want 1 of 1: customer 1 was copied before the interruption",
			customers.Rows, customers.TotalRows)
	}
	if customers.Checkpoint != 3 {
		t.Errorf("customer checkpoint %d, want 3 (every id below it copied)", customers.Checkpoint)
	}
	if products := stats[catalog.EntityProduct]; products.Rows != 3 || products.Checkpoint != 4 {
		t.Errorf("resumed run: %d product rows, checkpoint %d; want all 3 and 4", products.Rows, products.Checkpoint)
	}
	h := catalog.NewRouter(e.Stores, nil)
	for _, path := range []string{"/products/1", "/products/2", "/products/3", "/orders/10", "/orders/20"} {
		if status, body := catalogtest.FromStore(t, h, backends.DynamoDB, path); status != 200 {
			t.Errorf("%s in DynamoDB: %d %s, want 200", path, status, body)
		}
	}
}
