package testenv_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/shadowread/shadowread/internal/testenv"
)

func connect(t *testing.T, dbURL string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dbURL)
	if err != nil {
		t.Fatalf("connect to %s: %v", dbURL, err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func databaseExists(t *testing.T, name string) bool {
	t.Helper()
	var exists bool
	err := connect(t, testenv.PostgresURL(t)).
		QueryRow(t.Context(), "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists)
	if err != nil {
		t.Fatalf("look up database %q: %v", name, err)
	}
	return exists
}

func TestNewDatabaseIsolatesTestsAndIsDropped(t *testing.T) {
	outer := t
	var names []string
	t.Run("two databases", func(t *testing.T) {
		first, second := testenv.NewDatabase(t), testenv.NewDatabase(t)
		// A connection that outlives the test, as a leaked pool would: the
		// drop must close it itself.
		connect(outer, first)

		for i, dbURL := range []string{first, second} {
			u, err := url.Parse(dbURL)
			if err != nil {
				t.Fatalf("NewDatabase returned %q: %v", dbURL, err)
			}
			names = append(names, strings.TrimPrefix(u.Path, "/"))

			// The same table name in both databases: neither sees the other's.
			conn := connect(t, dbURL)
			if _, err := conn.Exec(t.Context(), "CREATE TABLE items (n int)"); err != nil {
				t.Fatalf("create table in database %d: %v", i, err)
			}
			if _, err := conn.Exec(t.Context(), "INSERT INTO items VALUES ($1)", i); err != nil {
				t.Fatalf("insert into database %d: %v", i, err)
			}
			var rows, n int
			if err := conn.QueryRow(t.Context(), "SELECT count(*), max(n) FROM items").Scan(&rows, &n); err != nil {
				t.Fatalf("read database %d: %v", i, err)
			}
			if rows != 1 || n != i {
				t.Errorf("database %d has %d rows, max %d; want only its own row %d", i, rows, n, i)
			}
		}
		if names[0] == names[1] {
			t.Fatalf("both databases are named %q", names[0])
		}
		for _, name := range names {
			if !databaseExists(t, name) {
				t.Errorf("database %q does not exist during the test", name)
			}
		}
	})
	for _, name := range names {
		if databaseExists(t, name) {
			t.Errorf("database %q still exists after its test ended", name)
		}
	}
}
