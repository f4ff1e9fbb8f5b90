// Package catalogtest is what the tests of the catalog and of its
// migration tools share: a catalog on a database and a table of the test's
// own, a small seeded catalog and helpers for requests.
package catalogtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/jackc/pgx/v5/pgxpool"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/backends/dynamodb"
	"github.com/shadowread/shadowread/backends/postgres"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/example/internal/backfill"
	"github.com/shadowread/shadowread/example/internal/catalog"
	"github.com/shadowread/shadowread/example/internal/dualwrite"
	"github.com/shadowread/shadowread/internal/testenv"
)

// Env is a catalog on a database of the test's own and a table of its own.
type Env struct {
	Pool   *pgxpool.Pool
	PG     *catalog.PostgresStore
	DDB    *catalog.DynamoDBStore
	Stores catalog.Stores
}

// NewEnv migrates a fresh database and creates a fresh table on the
// DynamoDB-API server At endpoint.
func NewEnv(t *testing.T, endpoint string) *Env {
	t.Helper()
	return NewEnvOn(t, testenv.NewDatabase(t), endpoint)
}

// NewEnvOn is NewEnv on the database At pgURL.
func NewEnvOn(t *testing.T, pgURL, endpoint string) *Env {
	t.Helper()
	ctx := context.Background()
	pool, err := postgres.Open(ctx, pgURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	client, err := dynamodb.New(ctx, dynamodb.WithEndpoint(endpoint))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Close)

	e := &Env{Pool: pool, PG: catalog.NewPostgresStore(pool), DDB: catalog.NewDynamoDBStore(client.Client, testenv.UniqueName(t, "catalog"))}
	if err := e.PG.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.DDB.CreateTable(ctx); err != nil {
		t.Fatal(err)
	}
	e.Stores = catalog.NewStores(e.PG, e.DDB)
	return e
}

// Exec runs sql on the test's database.
func (e *Env) Exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	if _, err := e.Pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// At is a fixed instant with microseconds, as PostgreSQL keeps them.
func At(day, hour int, micros int) time.Time {
	return time.Date(2026, 3, day, hour, 0, 0, micros*1000, time.UTC)
}

// SeedSmall inserts two customers, three products and orders: customer 1
// has five orders, two of them At the same instant.
func (e *Env) SeedSmall(t *testing.T) {
	t.Helper()
	e.Exec(t, `INSERT INTO customers VALUES (1, 'Ada', 'ada@example.com', $1), (2, 'Bo', 'bo@example.com', $1)`, At(1, 8, 0))
	e.Exec(t, `INSERT INTO products VALUES
		(1, 'Linen shirt', 'A shirt of linen.', 'shirts', $1, $2),
		(2, 'Canvas tote', 'A bag.', 'bags', $1, $3),
		(3, 'Wool scarf', 'Warm.', 'scarves', $1, $1)`, At(1, 9, 1), At(2, 10, 123456), At(2, 11, 500))
	e.Exec(t, `INSERT INTO variants VALUES
		('P1-M', 1, 'M', 49.90, 'EUR'), ('P1-L', 1, 'L', 49.90, 'EUR'), ('P1-S', 1, 'S', 45.00, 'EUR'),
		('P2', 2, 'One size', 12.50, 'EUR'), ('P3', 3, 'One size', 0.99, 'EUR')`)
	orders := []struct {
		id, customer int64
		created      time.Time
		status       string
	}{
		{10, 1, At(3, 10, 111111), "delivered"},
		{11, 1, At(4, 10, 222222), "shipped"},
		{12, 1, At(5, 10, 333333), "paid"},
		{13, 1, At(5, 10, 333333), "paid"}, // the same instant as 12: the id breaks the tie
		{14, 1, At(6, 10, 444444), "pending"},
		{20, 2, At(4, 12, 0), "cancelled"},
	}
	for _, o := range orders {
		e.Exec(t, `INSERT INTO orders VALUES ($1, $2, $3, 'EUR', 0, $4, $4)`, o.id, o.customer, o.status, o.created)
		e.Exec(t, `INSERT INTO order_lines VALUES ($1, 1, 'P2', 2, 12.50), ($1, 2, 'P1-S', 1, 45.00)`, o.id)
		e.Exec(t, `UPDATE orders SET total = 70.00 WHERE id = $1`, o.id)
	}
	e.Exec(t, `SELECT setval(pg_get_serial_sequence('orders', 'id'), 20)`)
}

// Backfill copies everything to DynamoDB.
func (e *Env) Backfill(t *testing.T, opts ...backfill.Option) backfill.Stats {
	t.Helper()
	stats, err := backfill.Run(context.Background(), e.PG, e.DDB, opts...)
	if err != nil {
		t.Fatalf("backfill: %v", err)
	}
	return stats
}

// Serve serves the router over HTTP for the test.
func Serve(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// FromStore serves one Request against one backend, as the middleware's
// routing would, and returns the status and body.
func FromStore(t *testing.T, h http.Handler, backend backends.Name, path string) (int, []byte) {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, path, nil)
	r = r.WithContext(backends.WithTarget(r.Context(), backend))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code, w.Body.Bytes()
}

// Request sends a Request with a JSON body and decodes the JSON answer.
func Request(t *testing.T, method, url, body string, out any) int {
	t.Helper()
	var rd io.Reader = http.NoBody
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, url, err, data)
		}
	}
	return resp.StatusCode
}

// DeleteInput deletes the item with key from the test's table.
func DeleteInput(e *Env, key map[string]types.AttributeValue) *awsddb.DeleteItemInput {
	return &awsddb.DeleteItemInput{TableName: aws.String(e.DDB.Table()), Key: key}
}

// Decode decodes a 200 answer's JSON body into v.
func Decode(t *testing.T, status int, body []byte, v any) {
	t.Helper()
	if status != http.StatusOK {
		t.Fatalf("status %d: %s", status, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("%v in %s", err, body)
	}
}

// WaitFor polls cond until it holds, failing the test after 30 s: for work
// that background goroutines finish, never to measure time.
func WaitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// ModeVar is a write mode that a test changes, as a flag edit would.
type ModeVar struct{ v atomic.Value }

// NewModeVar starts at m.
func NewModeVar(m dualwrite.WriteMode) *ModeVar {
	mv := &ModeVar{}
	mv.Set(m)
	return mv
}

// Set changes the mode.
func (mv *ModeVar) Set(m dualwrite.WriteMode) { mv.v.Store(m) }

// WriteMode implements dualwrite.WriteModeSource.
func (mv *ModeVar) WriteMode(context.Context) dualwrite.WriteMode {
	return mv.v.Load().(dualwrite.WriteMode)
}

// AssertSame checks that the orders, product 2 and customer 2's list read
// the same from both stores.
func AssertSame(t *testing.T, e *Env, orderIDs []int64) {
	t.Helper()
	h := catalog.NewRouter(e.Stores, nil)
	paths := []string{"/products/2", "/customers/2/orders"}
	for _, id := range orderIDs {
		paths = append(paths, fmt.Sprintf("/orders/%d", id))
	}
	for _, path := range paths {
		_, a := FromStore(t, h, backends.Postgres, path)
		_, b := FromStore(t, h, backends.DynamoDB, path)
		if !EqualJSON(t, a, b) {
			t.Errorf("%s differs:\npostgres %s\ndynamodb %s", path, a, b)
		}
	}
}

// SumCounter returns the sum of an int64 counter over its attributes.
func SumCounter(t *testing.T, reader *sdkmetric.ManualReader, name string) int64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if sum, ok := m.Data.(metricdata.Sum[int64]); ok && m.Name == name {
				for _, dp := range sum.DataPoints {
					total += dp.Value
				}
			}
		}
	}
	return total
}

// WriteService serves the catalog with the dual writer, its counters going
// to the returned reader.
func WriteService(t *testing.T, e *Env) (string, *sdkmetric.ManualReader) {
	t.Helper()
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	w := dualwrite.New(e.PG, e.DDB,
		dualwrite.WithMeterProvider(mp), dualwrite.WithLogger(slog.New(slog.DiscardHandler)))
	h := catalog.NewRouter(e.Stores, nil, catalog.WithWriteRoutes(w.Mount), catalog.WithMeterProvider(mp),
		catalog.WithLogger(slog.New(slog.DiscardHandler)))
	return Serve(t, h).URL, reader
}

// Writes places three orders and changes two prices; every write must
// succeed for the user whatever DynamoDB does.
func Writes(t *testing.T, url string) (orderIDs []int64) {
	t.Helper()
	for i := range 3 {
		var o catalog.Order
		body := fmt.Sprintf(`{"lines":[{"sku":"P2","quantity":%d},{"sku":"P3","quantity":1}]}`, i+1)
		if status := Request(t, http.MethodPost, url+"/customers/2/orders", body, &o); status != http.StatusCreated {
			t.Fatalf("placing order %d: status %d, want 201", i, status)
		}
		orderIDs = append(orderIDs, o.ID)
	}
	for _, price := range []string{"13.00", "13.50"} {
		if status := Request(t, http.MethodPut, url+"/products/2/variants/P2/price", `{"price":"`+price+`"}`, nil); status != http.StatusOK {
			t.Fatalf("setting price %s: status %d, want 200", price, status)
		}
	}
	return orderIDs
}

// RepairLogSize is the number of rows in DynamoDB's repair log.
func RepairLogSize(t *testing.T, e *Env) int {
	t.Helper()
	n, err := dualwrite.NewRepairLogs(e.PG, e.DDB).RepairLogSize(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// EqualJSON reports whether two answers are equal as the shadows compare them.
func EqualJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	// An order list's request_id is new on every read, whatever the store.
	return comparator.JSON(comparator.PostgresDynamoDB(), comparator.IgnorePaths("request_id")).Compare(
		comparator.Response{Status: 200, Body: a}, comparator.Response{Status: 200, Body: b}).Equal
}

// Sprint is v as compact JSON without quotes, for messages.
func Sprint(v any) string {
	b, _ := json.Marshal(v)
	return string(bytes.ReplaceAll(bytes.ReplaceAll(b, []byte(","), []byte(" ")), []byte(`"`), nil))
}

// Ptr points at a copy of v.
func Ptr[T any](v T) *T { return &v }

// modeService serves the catalog with writes in the modes of src.
func ModeService(t *testing.T, e *Env, src dualwrite.WriteModeSource) string {
	t.Helper()
	w := dualwrite.New(e.PG, e.DDB, dualwrite.WithWriteModes(src), dualwrite.WithLogger(slog.New(slog.DiscardHandler)))
	h := catalog.NewRouter(e.Stores, nil, catalog.WithWriteRoutes(w.Mount), catalog.WithReadGuard(dualwrite.Guard(src)),
		catalog.WithLogger(slog.New(slog.DiscardHandler)))
	return Serve(t, h).URL
}

// PlaceAndReprice places an order for customer 2 and sets P2's price.
func PlaceAndReprice(t *testing.T, url, price string) catalog.Order {
	t.Helper()
	var o catalog.Order
	if status := Request(t, http.MethodPost, url+"/customers/2/orders", `{"lines":[{"sku":"P2","quantity":2},{"sku":"P3","quantity":1}]}`, &o); status != http.StatusCreated {
		t.Fatalf("placing an order: status %d, want 201", status)
	}
	if status := Request(t, http.MethodPut, url+"/products/2/variants/P2/price", `{"price":"`+price+`"}`, nil); status != http.StatusOK {
		t.Fatalf("setting a price: status %d, want 200", status)
	}
	return o
}

// Stored reads the order and product 2 from one store: whether the order
// is there, and P2's price ("" if the product is missing).
func Stored(t *testing.T, e *Env, b backends.Name, orderID int64) (hasOrder bool, price string) {
	t.Helper()
	h := catalog.NewRouter(e.Stores, nil)
	status, _ := FromStore(t, h, b, fmt.Sprintf("/orders/%d", orderID))
	var p catalog.Product
	if s, body := FromStore(t, h, b, "/products/2"); s == http.StatusOK {
		Decode(t, s, body, &p)
		price = p.Variants[0].Price.String()
	}
	return status == http.StatusOK, price
}

// Gauge returns the value of a gauge for one store.
func Gauge(t *testing.T, reader *sdkmetric.ManualReader, name string, store backends.Name) float64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != name {
				continue
			}
			switch g := m.Data.(type) {
			case metricdata.Gauge[int64]:
				for _, dp := range g.DataPoints {
					if v, _ := dp.Attributes.Value("store"); v.AsString() == string(store) {
						return float64(dp.Value)
					}
				}
			case metricdata.Gauge[float64]:
				for _, dp := range g.DataPoints {
					if v, _ := dp.Attributes.Value("store"); v.AsString() == string(store) {
						return dp.Value
					}
				}
			}
		}
	}
	t.Fatalf("no %s for store %s", name, store)
	return 0
}
