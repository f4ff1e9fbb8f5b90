package middleware_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/open-feature/go-sdk/openfeature"
	"github.com/open-feature/go-sdk/openfeature/isolated"
	"github.com/open-feature/go-sdk/openfeature/memprovider"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/backends/dynamodb"
	"github.com/shadowread/shadowread/backends/postgres"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/flags"
	"github.com/shadowread/shadowread/internal/testenv"
	"github.com/shadowread/shadowread/middleware"
	"github.com/shadowread/shadowread/telemetry"
)

// TestEndToEnd mounts the middleware on chi over the real PostgreSQL and a
// real DynamoDB-API server (dynalite), sampling every request.
func TestEndToEnd(t *testing.T) {
	ctx := context.Background()
	products := []Product{
		{ID: "p1", Name: "Linen shirt", Price: 49.9, UpdatedAt: time.Date(2026, 3, 1, 10, 0, 0, 123456000, time.UTC)},
		{ID: "p2", Name: "Canvas tote", Price: 12.5, UpdatedAt: time.Date(2026, 3, 2, 11, 30, 0, 0, time.UTC)},
	}

	pool, err := postgres.Open(ctx, testenv.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	seedPostgres(t, pool, products)

	dynalite := testenv.StartDynalite(t)
	ddb, err := dynamodb.New(ctx, dynamodb.WithEndpoint(dynalite.Endpoint()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ddb.Close)
	table := testenv.UniqueName(t, "catalog")
	seedDynamoDB(t, ddb.Client, table, products)

	router := backends.NewRouter(map[backends.Name]ProductStore{
		backends.Postgres: &pgProductStore{pool: pool},
		backends.DynamoDB: &ddbProductStore{client: ddb.Client, table: table},
	})
	rec := newSpy()
	shadow := newShadower(t, rec,
		middleware.WithFlags(flags.New(fullSampling(t), testEvaluation)),
		middleware.WithComparator(comparator.JSON(comparator.PostgresDynamoDB())),
	)
	r := chi.NewRouter()
	r.With(shadow.Handler).Get("/products/{id}", getProduct(router))
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)

	get := func(path string) int {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	t.Run("identical data matches", func(t *testing.T) {
		for _, p := range products {
			if code := get("/products/" + p.ID); code != http.StatusOK {
				t.Fatalf("GET %s = %d", p.ID, code)
			}
			if ev := rec.next(t); ev.Outcome != telemetry.Match || ev.Route != "/products/{id}" {
				t.Errorf("%s: outcome %q route %q, want match on /products/{id}; diffs %+v", p.ID, ev.Outcome, ev.Route, ev.Result.Diffs)
			}
		}
	})

	t.Run("missing in both matches", func(t *testing.T) {
		if code := get("/products/nope"); code != http.StatusNotFound {
			t.Fatalf("GET nope = %d, want 404", code)
		}
		if ev := rec.next(t); ev.Outcome != telemetry.Match {
			t.Errorf("outcome %q, want match: both stores say not found", ev.Outcome)
		}
	})

	t.Run("changed item mismatches", func(t *testing.T) {
		drifted := products[1]
		drifted.Price = 13.5
		putProduct(t, ddb.Client, table, drifted)
		if code := get("/products/p2"); code != http.StatusOK {
			t.Fatalf("GET p2 = %d", code)
		}
		ev := rec.next(t)
		if ev.Outcome != telemetry.Mismatch {
			t.Fatalf("outcome %q, want mismatch", ev.Outcome)
		}
		if len(ev.Result.Diffs) != 1 || ev.Result.Diffs[0].Path != "price" || ev.Result.Diffs[0].Kind != comparator.ValueChanged {
			t.Errorf("diffs = %+v, want one value_changed at price", ev.Result.Diffs)
		}
	})

	t.Run("dynamodb down is a shadow error, users unaffected", func(t *testing.T) {
		dynalite.Stop()
		for i := range 5 {
			if code := get("/products/p1"); code != http.StatusOK {
				t.Fatalf("request %d with DynamoDB down: user got %d, want 200", i, code)
			}
			if ev := rec.next(t); ev.Outcome != telemetry.ShadowError {
				t.Errorf("outcome %q, want shadow_error", ev.Outcome)
			}
		}
		dynalite.Start()
	})
}

func seedPostgres(t *testing.T, pool *pgxpool.Pool, products []Product) {
	t.Helper()
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `CREATE TABLE products (
		id text PRIMARY KEY, name text NOT NULL, price numeric(12,2) NOT NULL, updated_at timestamptz NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for _, p := range products {
		if _, err := pool.Exec(ctx, `INSERT INTO products VALUES ($1, $2, $3, $4)`,
			p.ID, p.Name, strconv.FormatFloat(p.Price, 'f', 2, 64), p.UpdatedAt); err != nil {
			t.Fatal(err)
		}
	}
}

func seedDynamoDB(t *testing.T, client *awsddb.Client, table string, products []Product) {
	t.Helper()
	ctx := context.Background()
	_, err := client.CreateTable(ctx, &awsddb.CreateTableInput{
		TableName:            aws.String(table),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("PK"), AttributeType: types.ScalarAttributeTypeS}, {AttributeName: aws.String("SK"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("PK"), KeyType: types.KeyTypeHash}, {AttributeName: aws.String("SK"), KeyType: types.KeyTypeRange}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := awsddb.NewTableExistsWaiter(client, func(o *awsddb.TableExistsWaiterOptions) { o.MinDelay = 20 * time.Millisecond }).Wait(ctx, &awsddb.DescribeTableInput{TableName: aws.String(table)}, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	for _, p := range products {
		putProduct(t, client, table, p)
	}
}

func putProduct(t *testing.T, client *awsddb.Client, table string, p Product) {
	t.Helper()
	if err := putProductItem(context.Background(), client, table, p); err != nil {
		t.Fatal(err)
	}
}

// putProductItem writes p to DynamoDB; for goroutines other than the test's.
func putProductItem(ctx context.Context, client *awsddb.Client, table string, p Product) error {
	item, err := attributevalue.MarshalMap(p)
	if err != nil {
		return err
	}
	item["PK"] = &types.AttributeValueMemberS{Value: "PRODUCT#" + p.ID}
	item["SK"] = &types.AttributeValueMemberS{Value: "META"}
	_, err = client.PutItem(ctx, &awsddb.PutItemInput{TableName: aws.String(table), Item: item})
	return err
}

// seededStores returns a PostgreSQL pool and a DynamoDB client (the
// shared dynalite) with its table, both holding products; both close with
// the test.
func seededStores(t *testing.T, products []Product) (*pgxpool.Pool, *dynamodb.Client, string) {
	t.Helper()
	ctx := context.Background()
	pool, err := postgres.Open(ctx, testenv.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	seedPostgres(t, pool, products)
	ddb, err := dynamodb.New(ctx, dynamodb.WithEndpoint(testenv.DynamoDBEndpoint(t)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ddb.Close)
	table := testenv.UniqueName(t, "catalog")
	seedDynamoDB(t, ddb.Client, table, products)
	return pool, ddb, table
}

// fullSampling returns an OpenFeature client whose in-memory provider
// samples every request with PostgreSQL as primary.
func fullSampling(t *testing.T) *openfeature.Client {
	t.Helper()
	client, _ := switchableFlags(t, backends.Postgres)
	return client
}

// switchableFlags returns an OpenFeature client whose in-memory provider
// samples every request with primary as primary, and a function that
// switches the primary as an operator would. The API is isolated, so its
// shutdown stops the SDK goroutines it started.
func switchableFlags(t *testing.T, primary backends.Name) (*openfeature.Client, func(backends.Name)) {
	t.Helper()
	on := func(v any) memprovider.InMemoryFlag {
		return memprovider.InMemoryFlag{DefaultVariant: "v", Variants: map[string]any{"v": v}, State: memprovider.Enabled}
	}
	flagSet := func(primary backends.Name) map[string]memprovider.InMemoryFlag {
		return map[string]memprovider.InMemoryFlag{
			flags.KeyEnabled:       on(true),
			flags.KeySamplePercent: on(100.0),
			flags.KeyPrimary:       on(string(primary)),
		}
	}
	provider := memprovider.NewInMemoryProvider(flagSet(primary))
	api := isolated.NewAPI()
	t.Cleanup(func() {
		if err := api.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
	})
	domain := openfeature.WithDomain("catalog")
	if err := api.SetProviderAndWait(context.Background(), provider, domain); err != nil {
		t.Fatal(err)
	}
	return api.NewClient(domain), func(p backends.Name) { provider.UpdateFlags(flagSet(p)) }
}
