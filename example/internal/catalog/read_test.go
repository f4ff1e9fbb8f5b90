package catalog_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"

	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/example/internal/catalog"
	"github.com/shadowread/shadowread/example/internal/catalogtest"
	"github.com/shadowread/shadowread/internal/testenv"
)

// TestReadsMatchAcrossStores serves every read endpoint from both stores
// after a backfill: the answers are the same under the comparator preset.
func TestReadsMatchAcrossStores(t *testing.T) {
	e := catalogtest.NewEnv(t, testenv.DynamoDBEndpoint(t))
	e.SeedSmall(t)
	e.Backfill(t)
	h := catalog.NewRouter(e.Stores, nil)
	// An order list's request_id is new on every read, whatever the store.
	cmp := comparator.JSON(comparator.PostgresDynamoDB(), comparator.IgnorePaths("request_id"))

	tests := []struct {
		name, path string
		status     int
		sameBytes  bool
		reason     string
	}{
		{"product", "/products/1", 200, true, "prices ending in 0 before the point (49.90) are the one representation difference; 45.00 and 49.90 differ in bytes"},
		{"product with a price of 12.50", "/products/2", 200, false, "DynamoDB normalises 12.50 to 12.5"},
		{"product with a price of 0.99", "/products/3", 200, true, "no trailing zero: identical bytes"},
		{"unknown product", "/products/999", 404, true, "both stores say not found"},
		{"order", "/orders/10", 200, false, "the total 70.00 is 70 in DynamoDB"},
		{"unknown order", "/orders/99", 404, true, "both stores say not found"},
		{"orders of a customer", "/customers/1/orders", 200, false, "totals differ in representation only"},
		{"first page", "/customers/1/orders?limit=2", 200, false, "the cursor is the same on both"},
		{"customer without orders", "/customers/3/orders", 200, true, "an empty list on both"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pgStatus, pgBody := catalogtest.FromStore(t, h, backends.Postgres, tt.path)
			ddbStatus, ddbBody := catalogtest.FromStore(t, h, backends.DynamoDB, tt.path)
			if pgStatus != tt.status || ddbStatus != tt.status {
				t.Fatalf("status: postgres %d, dynamodb %d, want %d (%s)", pgStatus, ddbStatus, tt.status, tt.reason)
			}
			res := cmp.Compare(comparator.Response{Status: pgStatus, Body: pgBody}, comparator.Response{Status: ddbStatus, Body: ddbBody})
			if !res.Equal {
				t.Errorf("differences %v\npostgres: %s\ndynamodb: %s", res.Diffs, pgBody, ddbBody)
			}
			if tt.status == 200 && !tt.sameBytes && bytes.Equal(pgBody, ddbBody) {
				t.Errorf("bodies are identical, want a representation difference (%s)", tt.reason)
			}
		})
	}
}

// TestProductPriceRepresentation pins the representation each store gives a
// NUMERIC(12,2) price: the store's own text, as a JSON number.
func TestProductPriceRepresentation(t *testing.T) {
	e := catalogtest.NewEnv(t, testenv.DynamoDBEndpoint(t))
	e.SeedSmall(t)
	e.Backfill(t)
	h := catalog.NewRouter(e.Stores, nil)
	for _, tc := range []struct {
		backend backends.Name
		want    json.Number
	}{{backends.Postgres, "12.50"}, {backends.DynamoDB, "12.5"}} {
		_, body := catalogtest.FromStore(t, h, tc.backend, "/products/2")
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		var p catalog.Product
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		if got := p.Variants[0].Price; got != tc.want {
			t.Errorf("%s: price %s, want %s", tc.backend, got, tc.want)
		}
	}
}

// TestPaginationParity walks a customer's orders page by page on both
// stores: the same orders in the same order, the same cursors, and a cursor
// from one store continues on the other.
func TestPaginationParity(t *testing.T) {
	e := catalogtest.NewEnv(t, testenv.DynamoDBEndpoint(t))
	e.SeedSmall(t)
	e.Backfill(t)
	h := catalog.NewRouter(e.Stores, nil)
	ctx := context.Background()

	walk := func(t *testing.T, backend backends.Name, limit string) (ids [][]int64, cursors []string) {
		t.Helper()
		cursor := ""
		for range 10 {
			status, body := catalogtest.FromStore(t, h, backend, "/customers/1/orders?limit="+limit+"&cursor="+cursor)
			if status != http.StatusOK {
				t.Fatalf("%s: status %d: %s", backend, status, body)
			}
			var page catalog.OrderPage
			if err := json.Unmarshal(body, &page); err != nil {
				t.Fatal(err)
			}
			var pageIDs []int64
			for _, o := range page.Orders {
				pageIDs = append(pageIDs, o.ID)
			}
			ids, cursors = append(ids, pageIDs), append(cursors, page.NextCursor)
			if page.NextCursor == "" {
				return ids, cursors
			}
			cursor = page.NextCursor
		}
		t.Fatalf("%s: more than 10 pages", backend)
		return nil, nil
	}

	tests := []struct {
		limit  string
		want   string
		reason string
	}{
		{"1", "[[14] [13] [12] [11] [10]]", "one order per page: 13 before 12, same instant, higher id first"},
		{"2", "[[14 13] [12 11] [10]]", "the tie between 13 and 12 falls across a page boundary"},
		{"5", "[[14 13 12 11 10]]", "exactly one full page: no cursor to an empty page"},
		{"100", "[[14 13 12 11 10]]", "a page larger than the list"},
	}
	for _, tt := range tests {
		t.Run("limit "+tt.limit, func(t *testing.T) {
			pgIDs, pgCursors := walk(t, backends.Postgres, tt.limit)
			ddbIDs, ddbCursors := walk(t, backends.DynamoDB, tt.limit)
			if got := catalogtest.Sprint(pgIDs); got != tt.want {
				t.Errorf("postgres pages %s, want %s (%s)", got, tt.want, tt.reason)
			}
			if got := catalogtest.Sprint(ddbIDs); got != tt.want {
				t.Errorf("dynamodb pages %s, want %s (%s)", got, tt.want, tt.reason)
			}
			if catalogtest.Sprint(pgCursors) != catalogtest.Sprint(ddbCursors) {
				t.Errorf("cursors differ:\npostgres %q\ndynamodb %q", pgCursors, ddbCursors)
			}
		})
	}

	t.Run("a cursor continues on the other store", func(t *testing.T) {
		_, cursors := walk(t, backends.Postgres, "2")
		for _, c := range cursors[:len(cursors)-1] {
			_, pgBody := catalogtest.FromStore(t, h, backends.Postgres, "/customers/1/orders?limit=2&cursor="+c)
			_, ddbBody := catalogtest.FromStore(t, h, backends.DynamoDB, "/customers/1/orders?limit=2&cursor="+c)
			if !catalogtest.EqualJSON(t, pgBody, ddbBody) {
				t.Errorf("cursor %s: postgres %s, dynamodb %s", c, pgBody, ddbBody)
			}
		}
	})

	t.Run("a cursor at an order the store lacks is a position", func(t *testing.T) {
		o, err := e.PG.Order(ctx, 13)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.DDB.Client().DeleteItem(ctx, &awsddb.DeleteItemInput{TableName: catalogtest.Ptr(e.DDB.Table()), Key: catalog.OrderKey(o)}); err != nil {
			t.Fatal(err)
		}
		cursor := catalog.CursorAfter(o).Encode()
		_, pgBody := catalogtest.FromStore(t, h, backends.Postgres, "/customers/1/orders?limit=2&cursor="+cursor)
		_, ddbBody := catalogtest.FromStore(t, h, backends.DynamoDB, "/customers/1/orders?limit=2&cursor="+cursor)
		if !catalogtest.EqualJSON(t, pgBody, ddbBody) {
			t.Errorf("after deleted order 13: postgres %s, dynamodb %s", pgBody, ddbBody)
		}
	})
}

// TestReadErrors checks the answers to malformed requests, which never reach
// a store.
func TestReadErrors(t *testing.T) {
	e := catalogtest.NewEnv(t, testenv.DynamoDBEndpoint(t))
	h := catalog.NewRouter(e.Stores, nil)
	tests := []struct {
		name, path string
		want       int
		reason     string
	}{
		{"id not a number", "/products/abc", 400, "ids are positive integers"},
		{"id zero", "/orders/0", 400, "ids start at 1"},
		{"cursor not base64", "/customers/1/orders?cursor=!!!", 400, "a cursor is opaque, but not arbitrary"},
		{"cursor of another shape", "/customers/1/orders?cursor=aGVsbG8", 400, `"hello" is not a cursor`},
		{"limit zero", "/customers/1/orders?limit=0", 400, "a page holds at least one order"},
		{"limit too large", "/customers/1/orders?limit=101", 400, "pages are capped"},
		{"no such route", "/customers", 404, "chi's not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, body := catalogtest.FromStore(t, h, backends.Postgres, tt.path); got != tt.want {
				t.Errorf("status %d (%s), want %d (%s)", got, body, tt.want, tt.reason)
			}
		})
	}
}

// TestOrderListRequestID: every order list carries an id of its own, so two
// reads of the same store differ in it (the noise a shadow-read baseline
// has to learn).
func TestOrderListRequestID(t *testing.T) {
	e := catalogtest.NewEnv(t, testenv.DynamoDBEndpoint(t))
	e.SeedSmall(t)
	e.Backfill(t)
	h := catalog.NewRouter(e.Stores, nil)
	for _, backend := range backends.Names() {
		t.Run(string(backend), func(t *testing.T) {
			seen := map[string]bool{}
			for range 3 {
				status, body := catalogtest.FromStore(t, h, backend, "/customers/1/orders")
				var page catalog.OrderPage
				if err := json.Unmarshal(body, &page); status != http.StatusOK || err != nil {
					t.Fatalf("status %d, %v: %s", status, err, body)
				}
				if page.RequestID == "" || seen[page.RequestID] {
					t.Errorf("request_id %q, seen before: %v; want a new id on every read", page.RequestID, seen[page.RequestID])
				}
				seen[page.RequestID] = true
			}
		})
	}
}
