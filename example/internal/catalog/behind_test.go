package catalog_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/example/internal/catalog"
	"github.com/shadowread/shadowread/example/internal/catalogtest"
	"github.com/shadowread/shadowread/example/internal/dualwrite"
	"github.com/shadowread/shadowread/internal/testenv"
)

// TestShadowBehindWhileTheRepairLogHoldsTheEntity: a shadow read of an
// entity that waits in the repair log of the store it reads calls the
// hook; other entities, primary reads and reads of the other store do not.
func TestShadowBehindWhileTheRepairLogHoldsTheEntity(t *testing.T) {
	e := catalogtest.NewEnv(t, testenv.DynamoDBEndpoint(t))
	e.SeedSmall(t)
	e.Backfill(t)
	e.Exec(t, `INSERT INTO dynamodb_outbox (entity, entity_id) VALUES ('product', 2)`)
	var orderID int64
	if err := e.PG.Pool().QueryRow(context.Background(), `SELECT min(id) FROM orders WHERE customer_id = 2`).Scan(&orderID); err != nil {
		t.Fatal(err)
	}
	e.Exec(t, `INSERT INTO dynamodb_outbox (entity, entity_id) VALUES ('order', $1)`, orderID)

	var calls atomic.Int64
	h := catalog.NewRouter(e.Stores, nil, catalog.WithShadowBehind(dualwrite.NewRepairLogs(e.PG, e.DDB), func(context.Context) { calls.Add(1) }))
	tests := []struct {
		path   string
		store  backends.Name
		shadow bool
		want   bool
		reason string
	}{
		{"/products/2", backends.DynamoDB, true, true, "the product waits in DynamoDB's log"},
		{fmt.Sprintf("/orders/%d", orderID), backends.DynamoDB, true, true, "the order waits in DynamoDB's log"},
		{"/customers/2/orders", backends.DynamoDB, true, true, "one of the customer's orders waits"},
		{"/products/1", backends.DynamoDB, true, false, "another product is not behind"},
		{"/customers/1/orders", backends.DynamoDB, true, false, "another customer's orders are not behind"},
		{"/products/2", backends.DynamoDB, false, false, "a user's read is not a shadow: the hook is the shadow's"},
		{"/products/2", backends.Postgres, true, false, "PostgreSQL's log (in DynamoDB) does not hold it"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s %s shadow=%v", tt.store, tt.path, tt.shadow), func(t *testing.T) {
			calls.Store(0)
			r := httptest.NewRequest(http.MethodGet, tt.path, nil)
			ctx := backends.WithTarget(r.Context(), tt.store)
			if tt.shadow {
				ctx = backends.WithShadowTarget(r.Context(), tt.store)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r.WithContext(ctx))
			if w.Code != http.StatusOK {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			if got := calls.Load() > 0; got != tt.want {
				t.Errorf("hook called %v, want %v (%s)", got, tt.want, tt.reason)
			}
		})
	}
}

// writeBegins is DynamoDB's product store with a write of the product
// beginning while it reads: the write's row enters DynamoDB's repair log
// once the read has its items.
type writeBegins struct {
	*catalog.DynamoDBStore
	begin func()
}

func (s writeBegins) Product(ctx context.Context, id int64) (catalog.Product, error) {
	p, err := s.DynamoDBStore.Product(ctx, id)
	s.begin()
	return p, err
}

// TestShadowBehindWhenAWriteBeginsDuringTheRead: a product of several items
// read while a write of it began may be half written; the repair log,
// asked again after the read, says so, and the pair is skipped rather than
// judged.
func TestShadowBehindWhenAWriteBeginsDuringTheRead(t *testing.T) {
	e := catalogtest.NewEnv(t, testenv.DynamoDBEndpoint(t))
	e.SeedSmall(t)
	e.Backfill(t)
	stores := e.Stores
	stores.Products = backends.NewRouter(map[backends.Name]catalog.ProductStore{
		backends.Postgres: e.PG,
		backends.DynamoDB: writeBegins{e.DDB, func() { e.Exec(t, `INSERT INTO dynamodb_outbox (entity, entity_id) VALUES ('product', 2)`) }},
	})
	var calls atomic.Int64
	h := catalog.NewRouter(stores, nil, catalog.WithShadowBehind(dualwrite.NewRepairLogs(e.PG, e.DDB), func(context.Context) { calls.Add(1) }))
	r := httptest.NewRequest(http.MethodGet, "/products/2", nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r.WithContext(backends.WithShadowTarget(r.Context(), backends.DynamoDB)))
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	if calls.Load() != 1 {
		t.Errorf("hook called %d times, want once: the log held the product after the read", calls.Load())
	}
}
