package shop_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/backends/dynamodb"
	"github.com/shadowread/shadowread/backends/postgres"
	"github.com/shadowread/shadowread/bench/internal/shop"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/internal/testenv"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestStoresAgree seeds both stores and reads every product, order and
// order list from each: the PostgreSQL→DynamoDB preset must find every
// pair of answers equal.
func TestStoresAgree(t *testing.T) {
	ctx := context.Background()
	pool, err := postgres.Open(ctx, testenv.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	client, err := dynamodb.New(ctx, dynamodb.WithEndpoint(testenv.DynamoDBEndpoint(t)))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	size := shop.Size{Products: 20, Customers: 4, Orders: 30}
	pg, ddb := shop.NewPostgresStore(pool), shop.NewDynamoDBStore(client.Client, testenv.UniqueName(t, "shop"))
	if items, err := shop.Seed(ctx, pg, ddb, size); err != nil || items != 20+2*30 {
		t.Fatalf("Seed = %d items, %v; want %d items", items, err, 20+2*30)
	}

	routes := shop.NewRouter(pg, ddb, nil)
	var paths []string
	for id := 1; id <= size.Products+1; id++ { // and one missing
		paths = append(paths, fmt.Sprintf("/products/%d", id))
	}
	for id := 1; id <= size.Orders+1; id++ {
		paths = append(paths, fmt.Sprintf("/orders/%d", id))
	}
	for id := 1; id <= size.Customers+1; id++ { // the last has no orders
		paths = append(paths, fmt.Sprintf("/customers/%d/orders?limit=5", id))
	}
	cmp := comparator.JSON(comparator.PostgresDynamoDB())
	for _, path := range paths {
		fromPG, fromDDB := get(routes, path, backends.Postgres), get(routes, path, backends.DynamoDB)
		if res := cmp.Compare(fromPG, fromDDB); !res.Equal || res.Err != nil {
			t.Errorf("GET %s: PostgreSQL %d %s, DynamoDB %d %s: not equal: %+v", path,
				fromPG.Status, fromPG.Body, fromDDB.Status, fromDDB.Body, res)
		}
	}

	for _, tt := range []struct {
		path, want, reason string
	}{
		{"/products/10", `{"sku":"P10-S","name":"S","price":8.70,`, "PostgreSQL spells NUMERIC(12,2)"},
		{"/customers/2/orders?limit=2", `{"orders":[{"id":27,`, "the newest order first"},
		{"/products/21", `{"error":"not found"}`, "a missing product"},
		{"/orders/x", `{"error":"id must be a positive integer"}`, "a malformed id"},
		{"/customers/1/orders?limit=0", `{"error":"limit must be from 1 to 100"}`, "a limit out of range"},
	} {
		if body := string(get(routes, tt.path, backends.Postgres).Body); !strings.Contains(body, tt.want) {
			t.Errorf("GET %s = %s, want %s (%s)", tt.path, body, tt.want, tt.reason)
		}
	}
	if body := string(get(routes, "/products/10", backends.DynamoDB).Body); !strings.Contains(body, `"price":8.7,`) {
		t.Errorf("GET /products/10 from DynamoDB = %s, want the normalised Number 8.7", body)
	}
}

func get(h http.Handler, path string, store backends.Name) comparator.Response {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req.WithContext(backends.WithTarget(req.Context(), store)))
	return comparator.Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}
