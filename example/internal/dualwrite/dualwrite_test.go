package dualwrite_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/example/internal/catalog"
	"github.com/shadowread/shadowread/example/internal/catalogtest"
	"github.com/shadowread/shadowread/example/internal/repair"
	"github.com/shadowread/shadowread/internal/testenv"
)

// TestDualWriteRepairAfterOutage writes while DynamoDB is down: users see
// no failure, every write is kept in the repair log, and Repair copies all
// of them once DynamoDB is back. No write is lost.
func TestDualWriteRepairAfterOutage(t *testing.T) {
	dynalite := testenv.StartDynalite(t)
	e := catalogtest.NewEnv(t, dynalite.Endpoint())
	e.SeedSmall(t)
	e.Backfill(t)
	url, reader := catalogtest.WriteService(t, e)
	ctx := context.Background()
	h := catalog.NewRouter(e.Stores, nil)

	dynalite.Stop()
	orderIDs := catalogtest.Writes(t, url)

	if n := catalogtest.RepairLogSize(t, e); n != 5 {
		t.Fatalf("repair log holds %d rows after 5 writes with DynamoDB down, want 5", n)
	}
	if got := catalogtest.SumCounter(t, reader, "catalog.dualwrite.failures"); got != 5 {
		t.Errorf("catalog.dualwrite.failures = %d, want 5", got)
	}
	stats, err := repair.Replay(ctx, e.PG, e.DDB)
	if err != nil {
		t.Fatalf("repair with DynamoDB still down: %v", err)
	}
	if stats.Entries != 5 || stats.Failed != 5 || stats.Repaired != 0 {
		t.Errorf("repair while down: %+v, want 5 entries, all failed again and kept", stats)
	}
	if n := catalogtest.RepairLogSize(t, e); n != 5 {
		t.Fatalf("repair log holds %d rows after a failed repair, want 5", n)
	}

	dynalite.Start()
	for _, id := range orderIDs {
		if status, _ := catalogtest.FromStore(t, h, backends.DynamoDB, fmt.Sprintf("/orders/%d", id)); status != http.StatusNotFound {
			t.Fatalf("order %d is in DynamoDB before the repair (status %d)", id, status)
		}
	}
	stats, err = repair.Replay(ctx, e.PG, e.DDB)
	if err != nil {
		t.Fatal(err)
	}
	// Two price changes of one product are one entity: one copy of its
	// META and its variant, both replacing the backfilled items.
	want := repair.Stats{Entries: 5, Repaired: 5, Written: 3 + 2}
	if stats != want {
		t.Errorf("repair: %+v, want %+v", stats, want)
	}
	if n := catalogtest.RepairLogSize(t, e); n != 0 {
		t.Errorf("repair log holds %d rows after the repair, want 0", n)
	}
	paths := []string{"/products/2"}
	for _, id := range orderIDs {
		paths = append(paths, fmt.Sprintf("/orders/%d", id))
	}
	paths = append(paths, "/customers/2/orders")
	for _, path := range paths {
		_, pgBody := catalogtest.FromStore(t, h, backends.Postgres, path)
		_, ddbBody := catalogtest.FromStore(t, h, backends.DynamoDB, path)
		if !catalogtest.EqualJSON(t, pgBody, ddbBody) {
			t.Errorf("%s after the repair:\npostgres %s\ndynamodb %s", path, pgBody, ddbBody)
		}
	}
	again, err := repair.Replay(ctx, e.PG, e.DDB)
	if err != nil || again != (repair.Stats{}) {
		t.Errorf("second repair: %+v, %v; want nothing to do", again, err)
	}
}

// TestDualWriteReachesBothStores writes with DynamoDB up: both stores have
// every change at once and the repair log stays empty.
func TestDualWriteReachesBothStores(t *testing.T) {
	e := catalogtest.NewEnv(t, testenv.DynamoDBEndpoint(t))
	e.SeedSmall(t)
	e.Backfill(t)
	url, reader := catalogtest.WriteService(t, e)
	h := catalog.NewRouter(e.Stores, nil)

	orderIDs := catalogtest.Writes(t, url)
	if n := catalogtest.RepairLogSize(t, e); n != 0 {
		t.Errorf("repair log holds %d rows, want 0", n)
	}
	if got := catalogtest.SumCounter(t, reader, "catalog.dualwrite.writes"); got != 5 {
		t.Errorf("catalog.dualwrite.writes = %d, want 5", got)
	}
	var p catalog.Product
	status, body := catalogtest.FromStore(t, h, backends.DynamoDB, "/products/2")
	catalogtest.Decode(t, status, body, &p)
	if p.Variants[0].Price != "13.5" {
		t.Errorf("DynamoDB price %s, want 13.5, the last one set", p.Variants[0].Price)
	}
	var o catalog.Order
	status, body = catalogtest.FromStore(t, h, backends.DynamoDB, fmt.Sprintf("/orders/%d", orderIDs[2]))
	catalogtest.Decode(t, status, body, &o)
	// 3 × 12.50 + 0.99, computed by PostgreSQL in NUMERIC.
	if o.Total != "38.49" || o.Status != catalog.StatusPending || len(o.Lines) != 2 {
		t.Errorf("order in DynamoDB: %+v, want total 38.49, pending, 2 lines", o)
	}
}

// TestWriteErrors checks the answers to writes that cannot be made.
func TestWriteErrors(t *testing.T) {
	e := catalogtest.NewEnv(t, testenv.DynamoDBEndpoint(t))
	e.SeedSmall(t)
	url, _ := catalogtest.WriteService(t, e)
	tests := []struct {
		name, method, path, body string
		want                     int
		reason                   string
	}{
		{"unknown customer", "POST", "/customers/99/orders", `{"lines":[{"sku":"P2","quantity":1}]}`, 404, "orders belong to customers"},
		{"unknown sku", "POST", "/customers/1/orders", `{"lines":[{"sku":"NOPE","quantity":1}]}`, 422, "a line names an existing variant"},
		{"no lines", "POST", "/customers/1/orders", `{"lines":[]}`, 400, "an order has a line"},
		{"quantity zero", "POST", "/customers/1/orders", `{"lines":[{"sku":"P2","quantity":0}]}`, 400, "quantities are positive"},
		{"unknown field", "POST", "/customers/1/orders", `{"lines":[],"coupon":"x"}`, 400, "unknown fields are refused, not ignored"},
		{"price with three decimals", "PUT", "/products/2/variants/P2/price", `{"price":"1.005"}`, 400, "NUMERIC(12,2) holds two decimals"},
		{"negative price", "PUT", "/products/2/variants/P2/price", `{"price":"-1"}`, 400, "prices are not negative"},
		{"variant of another product", "PUT", "/products/1/variants/P2/price", `{"price":"1"}`, 404, "P2 belongs to product 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := catalogtest.Request(t, tt.method, url+tt.path, tt.body, nil); got != tt.want {
				t.Errorf("status %d, want %d (%s)", got, tt.want, tt.reason)
			}
		})
	}
	if n := catalogtest.RepairLogSize(t, e); n != 0 {
		t.Errorf("repair log holds %d rows after refused writes, want 0: nothing was committed", n)
	}
}
