package middleware_test

import (
	"context"
	"log"
	"net/http"
	"os"

	"github.com/go-chi/chi/v5"
	"github.com/open-feature/go-sdk/openfeature"
	"go.opentelemetry.io/otel"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/backends/dynamodb"
	"github.com/shadowread/shadowread/backends/postgres"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/flags"
	"github.com/shadowread/shadowread/middleware"
	"github.com/shadowread/shadowread/telemetry"
)

// The catalog service of the README: one read handler, two stores, and a
// flag-controlled share of reads shadowed against DynamoDB.
func Example() {
	ctx := context.Background()
	pool, err := postgres.Open(ctx, os.Getenv("SHADOWREAD_PG_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	ddb, err := dynamodb.New(ctx, dynamodb.WithEndpoint(os.Getenv("SHADOWREAD_DYNAMODB_ENDPOINT")))
	if err != nil {
		log.Fatal(err)
	}
	defer ddb.Close()
	pgStore := &pgProductStore{pool: pool}
	ddbStore := &ddbProductStore{client: ddb.Client, table: "catalog"}

	products := backends.NewRouter(map[backends.Name]ProductStore{
		backends.Postgres: pgStore,
		backends.DynamoDB: ddbStore,
	})

	shadow := middleware.New(
		middleware.WithFlags(flags.New(openfeature.NewClient("catalog"))),
		middleware.WithComparator(comparator.JSON(comparator.IgnorePaths("updated_at"))),
		middleware.WithRecorder(telemetry.New(otel.GetTracerProvider(), otel.GetMeterProvider())),
	)
	defer shadow.Close(context.Background())

	r := chi.NewRouter()
	r.With(shadow.Handler).Get("/products/{id}", func(w http.ResponseWriter, r *http.Request) {
		p, err := products.For(r.Context()).Get(r.Context(), chi.URLParam(r, "id"))
		writeProduct(w, p, err)
	})
	log.Fatal(http.ListenAndServe(":8080", r))
}
