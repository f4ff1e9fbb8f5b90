package dualwrite_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/example/internal/catalog"
	"github.com/shadowread/shadowread/example/internal/catalogtest"
	"github.com/shadowread/shadowread/example/internal/dualwrite"
	"github.com/shadowread/shadowread/internal/testenv"
)

// TestWriteModes writes in each mode: exactly the stores the mode names
// get the writes, both at once when it names both, the answer is the
// source of truth's, and no repair log is left.
func TestWriteModes(t *testing.T) {
	tests := []struct {
		mode        dualwrite.WriteMode
		inPG, inDDB bool
		reason      string
	}{
		{dualwrite.WritePostgres, true, false, "before the migration: PostgreSQL alone"},
		{dualwrite.WriteBoth, true, true, "the dual write: PostgreSQL, then DynamoDB"},
		{dualwrite.WriteDynamoDBFirst, true, true, "after the read cutover: DynamoDB, then PostgreSQL for rollback"},
		{dualwrite.WriteDynamoDB, false, true, "DynamoDB alone: PostgreSQL can go"},
	}
	for _, tt := range tests {
		t.Run(string(tt.mode), func(t *testing.T) {
			e := catalogtest.NewEnv(t, testenv.DynamoDBEndpoint(t))
			e.SeedSmall(t)
			e.Backfill(t)
			url := catalogtest.ModeService(t, e, dualwrite.FixedWriteMode(tt.mode))
			o := catalogtest.PlaceAndReprice(t, url, "14.00")
			if o.ID <= 20 || o.Total != "25.99" {
				t.Errorf("order %d total %s; want an id after the seeded 20 and 2 × 12.50 + 0.99 = 25.99", o.ID, o.Total)
			}
			pgOrder, pgPrice := catalogtest.Stored(t, e, backends.Postgres, o.ID)
			ddbOrder, ddbPrice := catalogtest.Stored(t, e, backends.DynamoDB, o.ID)
			if pgOrder != tt.inPG || (pgPrice == "14.00") != tt.inPG {
				t.Errorf("PostgreSQL: order %v, price %s; want written %v (%s)", pgOrder, pgPrice, tt.inPG, tt.reason)
			}
			if ddbOrder != tt.inDDB || (ddbPrice == "14") != tt.inDDB {
				t.Errorf("DynamoDB: order %v, price %s; want written %v (%s)", ddbOrder, ddbPrice, tt.inDDB, tt.reason)
			}
			if tt.inPG && tt.inDDB {
				h := catalog.NewRouter(e.Stores, nil)
				for _, path := range []string{fmt.Sprintf("/orders/%d", o.ID), "/products/2", "/customers/2/orders"} {
					_, a := catalogtest.FromStore(t, h, backends.Postgres, path)
					_, b := catalogtest.FromStore(t, h, backends.DynamoDB, path)
					if !catalogtest.EqualJSON(t, a, b) {
						t.Errorf("%s differs:\npostgres %s\ndynamodb %s", path, a, b)
					}
				}
			}
			if n := catalogtest.RepairLogSize(t, e); n != 0 {
				t.Errorf("DynamoDB's repair log holds %d rows, want 0", n)
			}
			if n, _, err := dualwrite.NewRepairLogs(e.PG, e.DDB).PostgresRepairLogSize(context.Background()); err != nil || n != 0 {
				t.Errorf("PostgreSQL's repair log holds %d items (%v), want 0", n, err)
			}
		})
	}
}

// TestWriteModeErrorsOnDynamoDB: the writes that run on DynamoDB alone
// refuse what the PostgreSQL path refuses.
func TestWriteModeErrorsOnDynamoDB(t *testing.T) {
	e := catalogtest.NewEnv(t, testenv.DynamoDBEndpoint(t))
	e.SeedSmall(t)
	e.Backfill(t)
	url := catalogtest.ModeService(t, e, dualwrite.FixedWriteMode(dualwrite.WriteDynamoDB))
	tests := []struct {
		name, method, path, body string
		want                     int
		reason                   string
	}{
		{"unknown customer", "POST", "/customers/99/orders", `{"lines":[{"sku":"P2","quantity":1}]}`, 404, "customers have profile items"},
		{"unknown sku", "POST", "/customers/1/orders", `{"lines":[{"sku":"NOPE","quantity":1}]}`, 422, "variants are found by SKU on GSI1"},
		{"unknown product", "PUT", "/products/99/variants/P2/price", `{"price":"1"}`, 404, "no such product"},
		{"variant of another product", "PUT", "/products/1/variants/P2/price", `{"price":"1"}`, 404, "P2 belongs to product 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := catalogtest.Request(t, tt.method, url+tt.path, tt.body, nil); got != tt.want {
				t.Errorf("status %d, want %d (%s)", got, tt.want, tt.reason)
			}
		})
	}
}

// TestWriteModeRoundTrip goes from both to dynamodb-first and back, as a
// rollback of the writes would: order ids never collide, because each
// store's id source follows the other's, and both stores agree throughout.
func TestWriteModeRoundTrip(t *testing.T) {
	e := catalogtest.NewEnv(t, testenv.DynamoDBEndpoint(t))
	e.SeedSmall(t)
	e.Backfill(t)
	mode := catalogtest.NewModeVar(dualwrite.WriteBoth)
	url := catalogtest.ModeService(t, e, mode)
	var ids []int64
	for i, m := range []dualwrite.WriteMode{dualwrite.WriteBoth, dualwrite.WriteDynamoDBFirst, dualwrite.WriteDynamoDBFirst, dualwrite.WriteBoth, dualwrite.WriteDynamoDBFirst} {
		mode.Set(m)
		o := catalogtest.PlaceAndReprice(t, url, fmt.Sprintf("%d.25", 20+i))
		if len(ids) > 0 && o.ID <= ids[len(ids)-1] {
			t.Fatalf("write %d in mode %s: order id %d after %d; ids must grow across modes", i, m, o.ID, ids[len(ids)-1])
		}
		ids = append(ids, o.ID)
	}
	h := catalog.NewRouter(e.Stores, nil)
	paths := []string{"/products/2", "/customers/2/orders"}
	for _, id := range ids {
		paths = append(paths, fmt.Sprintf("/orders/%d", id))
	}
	for _, path := range paths {
		_, a := catalogtest.FromStore(t, h, backends.Postgres, path)
		_, b := catalogtest.FromStore(t, h, backends.DynamoDB, path)
		if !catalogtest.EqualJSON(t, a, b) {
			t.Errorf("%s differs:\npostgres %s\ndynamodb %s", path, a, b)
		}
	}
}

// TestReadRefusal: a read from a store the write mode does not write is
// refused with an error that names the flags, whether it is the primary or
// the shadow; the others are served.
func TestReadRefusal(t *testing.T) {
	e := catalogtest.NewEnv(t, testenv.DynamoDBEndpoint(t))
	e.SeedSmall(t)
	e.Backfill(t)
	tests := []struct {
		mode    dualwrite.WriteMode
		backend backends.Name
		refused bool
		reason  string
	}{
		{dualwrite.WritePostgres, backends.Postgres, false, "the only store written"},
		{dualwrite.WritePostgres, backends.DynamoDB, true, "DynamoDB gets no writes yet: stale"},
		{dualwrite.WriteBoth, backends.Postgres, false, "both written"},
		{dualwrite.WriteBoth, backends.DynamoDB, false, "both written"},
		{dualwrite.WriteDynamoDBFirst, backends.Postgres, false, "kept up for rollback"},
		{dualwrite.WriteDynamoDBFirst, backends.DynamoDB, false, "the source of truth"},
		{dualwrite.WriteDynamoDB, backends.Postgres, true, "PostgreSQL gets no writes any more: stale"},
		{dualwrite.WriteDynamoDB, backends.DynamoDB, false, "the only store written"},
	}
	for _, tt := range tests {
		t.Run(string(tt.mode)+" from "+string(tt.backend), func(t *testing.T) {
			h := catalog.NewRouter(e.Stores, nil, catalog.WithReadGuard(dualwrite.Guard(dualwrite.FixedWriteMode(tt.mode))),
				catalog.WithLogger(slog.New(slog.DiscardHandler)))
			for _, path := range []string{"/products/1", "/orders/10", "/customers/1/orders"} {
				status, body := catalogtest.FromStore(t, h, tt.backend, path)
				if refused := status == http.StatusServiceUnavailable; refused != tt.refused {
					t.Errorf("%s: status %d, refused %v; want refused %v (%s)", path, status, refused, tt.refused, tt.reason)
				}
				if tt.refused && !strings.Contains(string(body), dualwrite.FlagWriteMode) {
					t.Errorf("%s: the error %s does not name the flag to change", path, body)
				}
			}
			if err := dualwrite.CheckRead(tt.mode, tt.backend); (err != nil) != tt.refused || (err != nil && !errors.Is(err, dualwrite.ErrStoreNotWritten)) {
				t.Errorf("CheckRead = %v; want an ErrStoreNotWritten: %v", err, tt.refused)
			}
		})
	}
}

func TestParseWriteMode(t *testing.T) {
	for _, m := range dualwrite.WriteModes() {
		if got, err := dualwrite.ParseWriteMode(string(m)); got != m || err != nil {
			t.Errorf("ParseWriteMode(%q) = %q, %v", m, got, err)
		}
	}
	if _, err := dualwrite.ParseWriteMode("dual"); err == nil {
		t.Error(`ParseWriteMode("dual"): no error`)
	}
}

// TestOrderIDCollisionRefused: an order that PostgreSQL alone holds (placed
// while only PostgreSQL was written, and not yet copied) and an order that
// DynamoDB then numbers with the same id are two orders. The copy of the
// second to PostgreSQL is refused and kept for repair; it never overwrites
// the first customer's order.
func TestOrderIDCollisionRefused(t *testing.T) {
	e := catalogtest.NewEnv(t, testenv.DynamoDBEndpoint(t))
	e.SeedSmall(t)
	e.Backfill(t)
	ctx := context.Background()
	line := []dualwrite.LineItem{{SKU: "P2", Quantity: 1}}
	first, err := dualwrite.New(e.PG, e.DDB, dualwrite.WithWriteModes(dualwrite.FixedWriteMode(dualwrite.WritePostgres))).PlaceOrder(ctx, 1, line)
	if err != nil {
		t.Fatal(err)
	}
	second, err := dualwrite.New(e.PG, e.DDB, dualwrite.WithWriteModes(dualwrite.FixedWriteMode(dualwrite.WriteDynamoDBFirst)),
		dualwrite.WithLogger(slog.New(slog.DiscardHandler))).PlaceOrder(ctx, 2, line)
	if err != nil {
		t.Fatal(err)
	}
	// The backfill raised DynamoDB's counter to the last order it copied;
	// the order placed in PostgreSQL alone took the next id there, and
	// DynamoDB hands out the same one.
	if second.ID != first.ID {
		t.Fatalf("DynamoDB numbered the second order %d, PostgreSQL the first %d: the set-up no longer makes the two ids collide", second.ID, first.ID)
	}
	got, err := e.PG.Order(ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.CustomerID != 1 {
		t.Errorf("PostgreSQL's order %d belongs to customer %d after the copy, want 1: the copy overwrote another customer's order", first.ID, got.CustomerID)
	}
	if n, _, err := dualwrite.NewRepairLogs(e.PG, e.DDB).PostgresRepairLogSize(ctx); err != nil || n != 1 {
		t.Errorf("PostgreSQL's repair log holds %d entries (%v), want the refused copy", n, err)
	}
}
