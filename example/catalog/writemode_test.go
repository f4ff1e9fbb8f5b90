package catalog_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/example/catalog"
	"github.com/shadowread/shadowread/internal/testenv"
)

// modeService serves the catalog with writes in the modes of src.
func modeService(t *testing.T, e *env, src catalog.WriteModeSource) string {
	t.Helper()
	w := catalog.NewDualWriter(e.pg, e.ddb, catalog.WithWriteModes(src), catalog.WithWriteLogger(slog.New(slog.DiscardHandler)))
	h := catalog.NewRouter(e.stores, nil, catalog.WithWriter(w), catalog.WithWriteModeGuard(src),
		catalog.WithLogger(slog.New(slog.DiscardHandler)))
	return serve(t, h).URL
}

// placeAndReprice places an order for customer 2 and sets P2's price.
func placeAndReprice(t *testing.T, url, price string) catalog.Order {
	t.Helper()
	var o catalog.Order
	if status := request(t, http.MethodPost, url+"/customers/2/orders", `{"lines":[{"sku":"P2","quantity":2},{"sku":"P3","quantity":1}]}`, &o); status != http.StatusCreated {
		t.Fatalf("placing an order: status %d, want 201", status)
	}
	if status := request(t, http.MethodPut, url+"/products/2/variants/P2/price", `{"price":"`+price+`"}`, nil); status != http.StatusOK {
		t.Fatalf("setting a price: status %d, want 200", status)
	}
	return o
}

// stored reads the order and product 2 from one store: whether the order
// is there, and P2's price ("" if the product is missing).
func stored(t *testing.T, e *env, b backends.Name, orderID int64) (hasOrder bool, price string) {
	t.Helper()
	h := catalog.NewRouter(e.stores, nil)
	status, _ := fromStore(t, h, b, fmt.Sprintf("/orders/%d", orderID))
	var p catalog.Product
	if s, body := fromStore(t, h, b, "/products/2"); s == http.StatusOK {
		decode(t, s, body, &p)
		price = p.Variants[0].Price.String()
	}
	return status == http.StatusOK, price
}

// TestWriteModes writes in each mode: exactly the stores the mode names
// get the writes, both at once when it names both, the answer is the
// source of truth's, and no repair log is left.
func TestWriteModes(t *testing.T) {
	tests := []struct {
		mode        catalog.WriteMode
		inPG, inDDB bool
		reason      string
	}{
		{catalog.WritePostgres, true, false, "before the migration: PostgreSQL alone"},
		{catalog.WriteBoth, true, true, "the dual write: PostgreSQL, then DynamoDB"},
		{catalog.WriteDynamoDBFirst, true, true, "after the read cutover: DynamoDB, then PostgreSQL for rollback"},
		{catalog.WriteDynamoDB, false, true, "DynamoDB alone: PostgreSQL can go"},
	}
	for _, tt := range tests {
		t.Run(string(tt.mode), func(t *testing.T) {
			e := newEnv(t, testenv.DynamoDBEndpoint(t))
			e.seedSmall(t)
			e.backfill(t)
			url := modeService(t, e, catalog.FixedWriteMode(tt.mode))
			o := placeAndReprice(t, url, "14.00")
			if o.ID <= 20 || o.Total != "25.99" {
				t.Errorf("order %d total %s; want an id after the seeded 20 and 2 × 12.50 + 0.99 = 25.99", o.ID, o.Total)
			}
			pgOrder, pgPrice := stored(t, e, backends.Postgres, o.ID)
			ddbOrder, ddbPrice := stored(t, e, backends.DynamoDB, o.ID)
			if pgOrder != tt.inPG || (pgPrice == "14.00") != tt.inPG {
				t.Errorf("PostgreSQL: order %v, price %s; want written %v (%s)", pgOrder, pgPrice, tt.inPG, tt.reason)
			}
			if ddbOrder != tt.inDDB || (ddbPrice == "14") != tt.inDDB {
				t.Errorf("DynamoDB: order %v, price %s; want written %v (%s)", ddbOrder, ddbPrice, tt.inDDB, tt.reason)
			}
			if tt.inPG && tt.inDDB {
				h := catalog.NewRouter(e.stores, nil)
				for _, path := range []string{fmt.Sprintf("/orders/%d", o.ID), "/products/2", "/customers/2/orders"} {
					_, a := fromStore(t, h, backends.Postgres, path)
					_, b := fromStore(t, h, backends.DynamoDB, path)
					if !equalJSON(t, a, b) {
						t.Errorf("%s differs:\npostgres %s\ndynamodb %s", path, a, b)
					}
				}
			}
			if n := repairLogSize(t, e); n != 0 {
				t.Errorf("DynamoDB's repair log holds %d rows, want 0", n)
			}
			if n, _, err := e.ddb.PostgresRepairLogSize(context.Background()); err != nil || n != 0 {
				t.Errorf("PostgreSQL's repair log holds %d items (%v), want 0", n, err)
			}
		})
	}
}

// TestWriteModeErrorsOnDynamoDB: the writes that run on DynamoDB alone
// refuse what the PostgreSQL path refuses.
func TestWriteModeErrorsOnDynamoDB(t *testing.T) {
	e := newEnv(t, testenv.DynamoDBEndpoint(t))
	e.seedSmall(t)
	e.backfill(t)
	url := modeService(t, e, catalog.FixedWriteMode(catalog.WriteDynamoDB))
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
			if got := request(t, tt.method, url+tt.path, tt.body, nil); got != tt.want {
				t.Errorf("status %d, want %d (%s)", got, tt.want, tt.reason)
			}
		})
	}
}

// TestWriteModeRoundTrip goes from both to dynamodb-first and back, as a
// rollback of the writes would: order ids never collide, because each
// store's id source follows the other's, and both stores agree throughout.
func TestWriteModeRoundTrip(t *testing.T) {
	e := newEnv(t, testenv.DynamoDBEndpoint(t))
	e.seedSmall(t)
	e.backfill(t)
	mode := newModeVar(catalog.WriteBoth)
	url := modeService(t, e, mode)
	var ids []int64
	for i, m := range []catalog.WriteMode{catalog.WriteBoth, catalog.WriteDynamoDBFirst, catalog.WriteDynamoDBFirst, catalog.WriteBoth, catalog.WriteDynamoDBFirst} {
		mode.set(m)
		o := placeAndReprice(t, url, fmt.Sprintf("%d.25", 20+i))
		if len(ids) > 0 && o.ID <= ids[len(ids)-1] {
			t.Fatalf("write %d in mode %s: order id %d after %d; ids must grow across modes", i, m, o.ID, ids[len(ids)-1])
		}
		ids = append(ids, o.ID)
	}
	h := catalog.NewRouter(e.stores, nil)
	paths := []string{"/products/2", "/customers/2/orders"}
	for _, id := range ids {
		paths = append(paths, fmt.Sprintf("/orders/%d", id))
	}
	for _, path := range paths {
		_, a := fromStore(t, h, backends.Postgres, path)
		_, b := fromStore(t, h, backends.DynamoDB, path)
		if !equalJSON(t, a, b) {
			t.Errorf("%s differs:\npostgres %s\ndynamodb %s", path, a, b)
		}
	}
}

// TestReadRefusal: a read from a store the write mode does not write is
// refused with an error that names the flags, whether it is the primary or
// the shadow; the others are served.
func TestReadRefusal(t *testing.T) {
	e := newEnv(t, testenv.DynamoDBEndpoint(t))
	e.seedSmall(t)
	e.backfill(t)
	tests := []struct {
		mode    catalog.WriteMode
		backend backends.Name
		refused bool
		reason  string
	}{
		{catalog.WritePostgres, backends.Postgres, false, "the only store written"},
		{catalog.WritePostgres, backends.DynamoDB, true, "DynamoDB gets no writes yet: stale"},
		{catalog.WriteBoth, backends.Postgres, false, "both written"},
		{catalog.WriteBoth, backends.DynamoDB, false, "both written"},
		{catalog.WriteDynamoDBFirst, backends.Postgres, false, "kept up for rollback"},
		{catalog.WriteDynamoDBFirst, backends.DynamoDB, false, "the source of truth"},
		{catalog.WriteDynamoDB, backends.Postgres, true, "PostgreSQL gets no writes any more: stale"},
		{catalog.WriteDynamoDB, backends.DynamoDB, false, "the only store written"},
	}
	for _, tt := range tests {
		t.Run(string(tt.mode)+" from "+string(tt.backend), func(t *testing.T) {
			h := catalog.NewRouter(e.stores, nil, catalog.WithWriteModeGuard(catalog.FixedWriteMode(tt.mode)),
				catalog.WithLogger(slog.New(slog.DiscardHandler)))
			for _, path := range []string{"/products/1", "/orders/10", "/customers/1/orders"} {
				status, body := fromStore(t, h, tt.backend, path)
				if refused := status == http.StatusServiceUnavailable; refused != tt.refused {
					t.Errorf("%s: status %d, refused %v; want refused %v (%s)", path, status, refused, tt.refused, tt.reason)
				}
				if tt.refused && !strings.Contains(string(body), catalog.FlagWriteMode) {
					t.Errorf("%s: the error %s does not name the flag to change", path, body)
				}
			}
			if err := catalog.CheckRead(tt.mode, tt.backend); (err != nil) != tt.refused || (err != nil && !errors.Is(err, catalog.ErrStoreNotWritten)) {
				t.Errorf("CheckRead = %v; want an ErrStoreNotWritten: %v", err, tt.refused)
			}
		})
	}
}

func TestParseWriteMode(t *testing.T) {
	for _, m := range catalog.WriteModes() {
		if got, err := catalog.ParseWriteMode(string(m)); got != m || err != nil {
			t.Errorf("ParseWriteMode(%q) = %q, %v", m, got, err)
		}
	}
	if _, err := catalog.ParseWriteMode("dual"); err == nil {
		t.Error(`ParseWriteMode("dual"): no error`)
	}
}

// TestOrderIDCollisionRefused: an order that PostgreSQL alone holds (placed
// while only PostgreSQL was written, and not yet copied) and an order that
// DynamoDB then numbers with the same id are two orders. The copy of the
// second to PostgreSQL is refused and kept for repair; it never overwrites
// the first customer's order.
func TestOrderIDCollisionRefused(t *testing.T) {
	e := newEnv(t, testenv.DynamoDBEndpoint(t))
	e.seedSmall(t)
	e.backfill(t)
	ctx := context.Background()
	line := []catalog.LineItem{{SKU: "P2", Quantity: 1}}
	first, err := catalog.NewDualWriter(e.pg, e.ddb, catalog.WithWriteModes(catalog.FixedWriteMode(catalog.WritePostgres))).PlaceOrder(ctx, 1, line)
	if err != nil {
		t.Fatal(err)
	}
	second, err := catalog.NewDualWriter(e.pg, e.ddb, catalog.WithWriteModes(catalog.FixedWriteMode(catalog.WriteDynamoDBFirst)),
		catalog.WithWriteLogger(slog.New(slog.DiscardHandler))).PlaceOrder(ctx, 2, line)
	if err != nil {
		t.Fatal(err)
	}
	// The backfill raised DynamoDB's counter to the last order it copied;
	// the order placed in PostgreSQL alone took the next id there, and
	// DynamoDB hands out the same one.
	if second.ID != first.ID {
		t.Fatalf("DynamoDB numbered the second order %d, PostgreSQL the first %d: the set-up no longer makes the two ids collide", second.ID, first.ID)
	}
	got, err := e.pg.Order(ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.CustomerID != 1 {
		t.Errorf("PostgreSQL's order %d belongs to customer %d after the copy, want 1: the copy overwrote another customer's order", first.ID, got.CustomerID)
	}
	if n, _, err := e.ddb.PostgresRepairLogSize(ctx); err != nil || n != 1 {
		t.Errorf("PostgreSQL's repair log holds %d entries (%v), want the refused copy", n, err)
	}
}
