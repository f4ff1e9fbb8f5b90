package postgres_test

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/goleak"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/backends/postgres"
	"github.com/shadowread/shadowread/internal/testenv"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// traced is a pool on a database of the test's own whose spans go to rec.
type traced struct {
	pool *pgxpool.Pool
	rec  *tracetest.SpanRecorder
	tp   *sdktrace.TracerProvider
	url  *url.URL
}

func openTraced(t *testing.T, opts ...postgres.Option) traced {
	t.Helper()
	dbURL := testenv.NewDatabase(t)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	pool, err := postgres.Open(t.Context(), dbURL, append([]postgres.Option{postgres.WithTracerProvider(tp)}, opts...)...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(pool.Close)
	return traced{pool: pool, rec: rec, tp: tp, url: u}
}

// onlySpan returns the one ended span named name.
func onlySpan(t *testing.T, rec *tracetest.SpanRecorder, name string) sdktrace.ReadOnlySpan {
	t.Helper()
	var found []sdktrace.ReadOnlySpan
	for _, s := range rec.Ended() {
		if s.Name() == name {
			found = append(found, s)
		}
	}
	if len(found) != 1 {
		var names []string
		for _, s := range rec.Ended() {
			names = append(names, s.Name())
		}
		t.Fatalf("%d spans named %q, want 1; spans: %q", len(found), name, names)
	}
	return found[0]
}

func attrsOf(s sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
	m := make(map[attribute.Key]attribute.Value)
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value
	}
	return m
}

func TestQuerySpans(t *testing.T) {
	db := openTraced(t)
	ctx, parent := db.tp.Tracer("test").Start(t.Context(), "handler")
	port, _ := strconv.Atoi(db.url.Port())

	tests := []struct {
		name   string
		run    func() error
		span   string
		reason string
	}{
		{"exec", func() error {
			_, err := db.pool.Exec(ctx, "CREATE TABLE products (id text PRIMARY KEY, name text)")
			return err
		}, "CREATE", "Exec is traced"},
		{"literal", func() error {
			_, err := db.pool.Exec(ctx, "INSERT INTO products VALUES ('p1', 'secret-lamp')")
			return err
		}, "INSERT", "a statement with literals is named by its command only"},
		{"query row", func() error {
			var name string
			return db.pool.QueryRow(ctx, "select name from products where id = $1", "p1").Scan(&name)
		}, "SELECT", "QueryRow is traced; the name is upper case"},
		{"prepared name", func() error {
			conn, err := db.pool.Acquire(ctx)
			if err != nil {
				return err
			}
			defer conn.Release()
			if _, err := conn.Conn().Prepare(ctx, "product_by_id", "SELECT name FROM products WHERE id = $1"); err != nil {
				return err
			}
			rows, err := conn.Query(ctx, "product_by_id", "p1")
			if err != nil {
				return err
			}
			rows.Close()
			return rows.Err()
		}, "postgresql", "a statement name is not a command; the span is named after the system"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.run(); err != nil {
				t.Fatal(err)
			}
			span := onlySpan(t, db.rec, tt.span)
			if span.SpanKind() != trace.SpanKindClient {
				t.Errorf("span kind = %v, want client", span.SpanKind())
			}
			if span.Parent().SpanID() != parent.SpanContext().SpanID() {
				t.Errorf("span's parent = %v, want the caller's span: queries join the request's trace", span.Parent().SpanID())
			}
			if span.Status().Code != codes.Unset {
				t.Errorf("status = %v, want unset for a query that succeeded", span.Status())
			}
			want := map[attribute.Key]attribute.Value{
				"db.system":      attribute.StringValue("postgresql"),
				"db.namespace":   attribute.StringValue(strings.TrimPrefix(db.url.Path, "/")),
				"server.address": attribute.StringValue("127.0.0.1"),
				"server.port":    attribute.IntValue(port),
			}
			if tt.span != "postgresql" {
				want["db.operation.name"] = attribute.StringValue(tt.span)
			}
			got := attrsOf(span)
			for k, v := range want {
				if got[k] != v {
					t.Errorf("attribute %s = %v, want %v (%s)", k, got[k].Emit(), v.Emit(), tt.reason)
				}
			}
			for k, v := range got {
				if k == "db.query.text" || strings.Contains(v.Emit(), "secret") {
					t.Errorf("attribute %s = %q: statement text is recorded only with WithQueryText", k, v.Emit())
				}
			}
		})
	}
}

func TestWithQueryTextRecordsTheStatement(t *testing.T) {
	db := openTraced(t, postgres.WithQueryText())
	const sql = "SELECT $1::int + 1"
	var n int
	if err := db.pool.QueryRow(t.Context(), sql, 41).Scan(&n); err != nil {
		t.Fatal(err)
	}
	got := attrsOf(onlySpan(t, db.rec, "SELECT"))["db.query.text"].AsString()
	if got != sql {
		t.Errorf("db.query.text = %q, want %q", got, sql)
	}
}

func TestFailedQuerySpan(t *testing.T) {
	db := openTraced(t)
	if _, err := db.pool.Exec(t.Context(), "SELECT * FROM no_such_table"); err == nil {
		t.Fatal("query on a missing table succeeded")
	}
	span := onlySpan(t, db.rec, "SELECT")
	if span.Status().Code != codes.Error {
		t.Errorf("status = %v, want error", span.Status())
	}
	if got := attrsOf(span)["db.response.status_code"].AsString(); got != "42P01" {
		t.Errorf("db.response.status_code = %q, want 42P01 (undefined_table)", got)
	}
	if len(span.Events()) == 0 || span.Events()[0].Name != "exception" {
		t.Errorf("events = %v, want the error recorded as an exception event", span.Events())
	}
}

func TestBatchAndConnectSpans(t *testing.T) {
	db := openTraced(t)
	batch := &pgx.Batch{}
	batch.Queue("SELECT 1")
	batch.Queue("SELECT 2")
	if err := db.pool.SendBatch(t.Context(), batch).Close(); err != nil {
		t.Fatal(err)
	}
	if got := attrsOf(onlySpan(t, db.rec, "BATCH"))["db.operation.batch.size"].AsInt64(); got != 2 {
		t.Errorf("db.operation.batch.size = %d, want 2", got)
	}
	// Open's ping made the pool's first connection.
	connect := onlySpan(t, db.rec, "connect")
	if connect.Status().Code != codes.Unset || attrsOf(connect)["db.system"].AsString() != "postgresql" {
		t.Errorf("connect span: status %v, attributes %v", connect.Status(), connect.Attributes())
	}
}

// countingTracer counts queries, standing in for a tracer the user adds.
type countingTracer struct{ queries int }

func (c *countingTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.queries++
	return ctx
}

func (c *countingTracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func TestWithConfigTracerRunsBesideOurs(t *testing.T) {
	theirs := &countingTracer{}
	db := openTraced(t, postgres.WithConfig(func(c *pgxpool.Config) { c.ConnConfig.Tracer = theirs }))
	if _, err := db.pool.Exec(t.Context(), "SELECT 1"); err != nil {
		t.Fatal(err)
	}
	onlySpan(t, db.rec, "SELECT")
	if theirs.queries != 1 {
		t.Errorf("the user's tracer saw %d queries, want 1", theirs.queries)
	}
}

func TestMapError(t *testing.T) {
	db := openTraced(t)
	var v int
	noRows := db.pool.QueryRow(t.Context(), "SELECT 1 WHERE false").Scan(&v)
	_, pgErr := db.pool.Exec(t.Context(), "SELECT * FROM no_such_table")
	canceled, cancel := context.WithCancel(t.Context())
	cancel()
	_, ctxErr := db.pool.Exec(canceled, "SELECT 1")

	tests := []struct {
		name         string
		err          error
		wantNotFound bool
		wantIs       error
		reason       string
	}{
		{"no rows", noRows, true, pgx.ErrNoRows, "a missing row is the store's not-found, and still pgx's"},
		{"server error", pgErr, false, nil, "a failed statement is a failure, not a missing item"},
		{"canceled", ctxErr, false, context.Canceled, "callers still see why the context ended"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err == nil {
				t.Fatal("the setup produced no error")
			}
			got := postgres.MapError(tt.err)
			if errors.Is(got, backends.ErrNotFound) != tt.wantNotFound {
				t.Errorf("errors.Is(%v, ErrNotFound) = %v, want %v (%s)", got, !tt.wantNotFound, tt.wantNotFound, tt.reason)
			}
			if tt.wantIs != nil && !errors.Is(got, tt.wantIs) {
				t.Errorf("errors.Is(%v, %v) = false (%s)", got, tt.wantIs, tt.reason)
			}
			if !tt.wantNotFound && !strings.HasPrefix(got.Error(), "postgres: ") {
				t.Errorf("error %q has no package prefix", got)
			}
		})
	}
	var asPgErr *pgconn.PgError
	if !errors.As(postgres.MapError(pgErr), &asPgErr) || asPgErr.Code != "42P01" {
		t.Errorf("errors.As(MapError(%v), *pgconn.PgError) lost the server's error", pgErr)
	}
	if postgres.MapError(nil) != nil {
		t.Error("MapError(nil) != nil")
	}
}

func TestOpenRejectsBadConnectionStrings(t *testing.T) {
	const password = "s3cret-pw"
	tests := []struct {
		name       string
		connString string
		reason     string
	}{
		{"bad port", "postgres://app:" + password + "@127.0.0.1:notaport/shop", "net/url fails; its error quotes the whole URL"},
		{"bad sslmode", "postgres://app:" + password + "@127.0.0.1:5432/shop?sslmode=sometimes", "pgx fails on a parameter"},
		{"bad pool size", "postgres://app:" + password + "@127.0.0.1:5432/shop?pool_max_conns=many", "pgxpool fails on its own parameter"},
		{"password parameter", "postgres://app@127.0.0.1:5432/shop?password=" + password + "&sslmode=sometimes", "the password can be a query parameter"},
		{"key=value", "host=127.0.0.1 port=notaport user=app password=" + password, "pgx also takes key=value strings"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pool, err := postgres.Open(t.Context(), tt.connString)
			if err == nil {
				pool.Close()
				t.Fatalf("Open(%q) succeeded", tt.connString)
			}
			if !strings.HasPrefix(err.Error(), "postgres: invalid connection string") {
				t.Errorf("error = %q, want it to say the connection string is invalid (%s)", err, tt.reason)
			}
			if strings.Contains(err.Error(), password) {
				t.Errorf("error = %q repeats the password (%s)", err, tt.reason)
			}
		})
	}
}

func TestOpenFailsWhenTheServerIsNotThere(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedPort := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	server, err := url.Parse(testenv.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	missingDB := *server
	missingDB.Path = "/" + testenv.UniqueName(t, "missing")

	tests := []struct {
		name     string
		url      string
		wantText string
		reason   string
	}{
		{"nothing listens", "postgres://postgres@127.0.0.1:" + strconv.Itoa(closedPort) + "/postgres?sslmode=disable",
			"ping 127.0.0.1:" + strconv.Itoa(closedPort), "a wrong address fails at start-up, not on the first request"},
		{"no such database", missingDB.String(), "does not exist", "the server answers, but the database is wrong"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pool, err := postgres.Open(t.Context(), tt.url)
			if err == nil {
				pool.Close()
				t.Fatalf("Open succeeded (%s)", tt.reason)
			}
			if !strings.HasPrefix(err.Error(), "postgres: ping ") || !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("error = %q, want a postgres: ping error containing %q (%s)", err, tt.wantText, tt.reason)
			}
			var connectErr *pgconn.ConnectError
			if !errors.As(err, &connectErr) {
				t.Errorf("errors.As(%v, *pgconn.ConnectError) = false: the driver's error must stay reachable", err)
			}
		})
	}
}
