package catalog_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/backends/dynamodb"
	"github.com/shadowread/shadowread/backends/postgres"
	"github.com/shadowread/shadowread/example/catalog"
	"github.com/shadowread/shadowread/internal/testenv"
)

// env is a catalog on a database of the test's own and a table of its own.
type env struct {
	pool   *pgxpool.Pool
	pg     *catalog.PostgresStore
	ddb    *catalog.DynamoDBStore
	stores catalog.Stores
}

// newEnv migrates a fresh database and creates a fresh table on the
// DynamoDB-API server at endpoint.
func newEnv(t *testing.T, endpoint string) *env {
	t.Helper()
	return newEnvOn(t, testenv.NewDatabase(t), endpoint)
}

// newEnvOn is newEnv on the database at pgURL.
func newEnvOn(t *testing.T, pgURL, endpoint string) *env {
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

	e := &env{pool: pool, pg: catalog.NewPostgresStore(pool), ddb: catalog.NewDynamoDBStore(client.Client, testenv.UniqueName(t, "catalog"))}
	if err := e.pg.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.ddb.CreateTable(ctx); err != nil {
		t.Fatal(err)
	}
	e.stores = catalog.NewStores(e.pg, e.ddb)
	return e
}

func (e *env) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	if _, err := e.pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// at is a fixed instant with microseconds, as PostgreSQL keeps them.
func at(day, hour int, micros int) time.Time {
	return time.Date(2026, 3, day, hour, 0, 0, micros*1000, time.UTC)
}

// seedSmall inserts two customers, three products and orders: customer 1
// has five orders, two of them at the same instant.
func (e *env) seedSmall(t *testing.T) {
	t.Helper()
	e.exec(t, `INSERT INTO customers VALUES (1, 'Ada', 'ada@example.com', $1), (2, 'Bo', 'bo@example.com', $1)`, at(1, 8, 0))
	e.exec(t, `INSERT INTO products VALUES
		(1, 'Linen shirt', 'A shirt of linen.', 'shirts', $1, $2),
		(2, 'Canvas tote', 'A bag.', 'bags', $1, $3),
		(3, 'Wool scarf', 'Warm.', 'scarves', $1, $1)`, at(1, 9, 1), at(2, 10, 123456), at(2, 11, 500))
	e.exec(t, `INSERT INTO variants VALUES
		('P1-M', 1, 'M', 49.90, 'EUR'), ('P1-L', 1, 'L', 49.90, 'EUR'), ('P1-S', 1, 'S', 45.00, 'EUR'),
		('P2', 2, 'One size', 12.50, 'EUR'), ('P3', 3, 'One size', 0.99, 'EUR')`)
	orders := []struct {
		id, customer int64
		created      time.Time
		status       string
	}{
		{10, 1, at(3, 10, 111111), "delivered"},
		{11, 1, at(4, 10, 222222), "shipped"},
		{12, 1, at(5, 10, 333333), "paid"},
		{13, 1, at(5, 10, 333333), "paid"}, // the same instant as 12: the id breaks the tie
		{14, 1, at(6, 10, 444444), "pending"},
		{20, 2, at(4, 12, 0), "cancelled"},
	}
	for _, o := range orders {
		e.exec(t, `INSERT INTO orders VALUES ($1, $2, $3, 'EUR', 0, $4, $4)`, o.id, o.customer, o.status, o.created)
		e.exec(t, `INSERT INTO order_lines VALUES ($1, 1, 'P2', 2, 12.50), ($1, 2, 'P1-S', 1, 45.00)`, o.id)
		e.exec(t, `UPDATE orders SET total = 70.00 WHERE id = $1`, o.id)
	}
	e.exec(t, `SELECT setval(pg_get_serial_sequence('orders', 'id'), 20)`)
}

// backfill copies everything to DynamoDB.
func (e *env) backfill(t *testing.T, opts ...catalog.BackfillOption) catalog.BackfillStats {
	t.Helper()
	stats, err := catalog.Backfill(context.Background(), e.pg, e.ddb, opts...)
	if err != nil {
		t.Fatalf("backfill: %v", err)
	}
	return stats
}

// serve serves the router over HTTP for the test.
func serve(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// fromStore serves one request against one backend, as the middleware's
// routing would, and returns the status and body.
func fromStore(t *testing.T, h http.Handler, backend backends.Name, path string) (int, []byte) {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, path, nil)
	r = r.WithContext(backends.WithTarget(r.Context(), backend))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code, w.Body.Bytes()
}

// request sends a request with a JSON body and decodes the JSON answer.
func request(t *testing.T, method, url, body string, out any) int {
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

func deleteInput(e *env, key map[string]types.AttributeValue) *awsddb.DeleteItemInput {
	return &awsddb.DeleteItemInput{TableName: ptr(e.ddb.Table()), Key: key}
}

func decode(t *testing.T, status int, body []byte, v any) {
	t.Helper()
	if status != http.StatusOK {
		t.Fatalf("status %d: %s", status, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("%v in %s", err, body)
	}
}

// waitFor polls cond until it holds, failing the test after 30 s: for work
// that background goroutines finish, never to measure time.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// modeVar is a write mode that a test changes, as a flag edit would.
type modeVar struct{ v atomic.Value }

func newModeVar(m catalog.WriteMode) *modeVar {
	mv := &modeVar{}
	mv.set(m)
	return mv
}

func (mv *modeVar) set(m catalog.WriteMode) { mv.v.Store(m) }
func (mv *modeVar) WriteMode(context.Context) catalog.WriteMode {
	return mv.v.Load().(catalog.WriteMode)
}
