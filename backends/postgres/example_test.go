package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/backends/postgres"
)

// ExampleOpen and ExampleWithQueryTimeout need a PostgreSQL server, so they
// are compiled but not run (they have no Output comment): `go test ./...`
// runs without servers. TestQuerySpans and TestMapError in postgres_test.go,
// and the statement deadline tests in outage_test.go, run the same calls
// against one.
func ExampleOpen() {
	ctx := context.Background()
	// A PostgreSQL server's URL, such as the one `make test` starts.
	pool, err := postgres.Open(ctx, os.Getenv("SHADOWREAD_PG_URL"), postgres.WithMaxConns(4))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pool.Close()

	var name string
	err = pool.QueryRow(ctx, "SELECT name FROM (VALUES ('p1', 'lamp')) AS products(id, name) WHERE id = $1", "p1").Scan(&name)
	fmt.Println(name, postgres.MapError(err))

	err = pool.QueryRow(ctx, "SELECT name FROM (VALUES ('p1', 'lamp')) AS products(id, name) WHERE id = $1", "p2").Scan(&name)
	fmt.Println(errors.Is(postgres.MapError(err), backends.ErrNotFound))
	// With the server, it prints:
	// lamp <nil>
	// true
}

func ExampleMapError() {
	for _, err := range []error{nil, pgx.ErrNoRows, context.DeadlineExceeded} {
		mapped := postgres.MapError(err)
		fmt.Printf("%v: not found %v\n", mapped, errors.Is(mapped, backends.ErrNotFound))
	}
	// Output:
	// <nil>: not found false
	// backends: not found: no rows in result set: not found true
	// postgres: context deadline exceeded: not found false
}

func ExampleWithQueryTimeout() {
	ctx := context.Background()
	pool, err := postgres.Open(ctx, os.Getenv("SHADOWREAD_PG_URL"),
		postgres.WithQueryTimeout(200*time.Millisecond),
		postgres.WithDialBackoff(50*time.Millisecond, 2*time.Second))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pool.Close()

	// A statement the server does not finish in time fails, it does not hang.
	_, err = pool.Exec(ctx, "SELECT pg_sleep(10)")
	fmt.Println(errors.Is(err, context.DeadlineExceeded))
	// With the server, it prints:
	// true
}
