package testenv

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// adminTimeout bounds each CREATE and DROP DATABASE.
const adminTimeout = 30 * time.Second

// NewDatabase creates an empty PostgreSQL database of the test's own on the
// shared server and returns its URL. The database is dropped, along with any
// connections left open to it, when the test ends. Tests that each use their
// own database can run in parallel without seeing each other's tables.
func NewDatabase(t testing.TB) string {
	t.Helper()
	serverURL := PostgresURL(t)
	u, err := url.Parse(serverURL)
	if err != nil {
		t.Fatalf("testenv: %s is not a URL: %v", EnvPostgresURL, err)
	}

	// PostgreSQL folds unquoted names to lower case and cuts them at 63 bytes.
	testName := strings.Map(func(r rune) rune {
		switch {
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
			return r
		case 'A' <= r && r <= 'Z':
			return r - 'A' + 'a'
		}
		return '_'
	}, t.Name())
	name := joinName("test", testName, randomHex(), '_', 63)
	ident := pgx.Identifier{name}.Sanitize()

	execAdmin(t, serverURL, "CREATE DATABASE "+ident)
	t.Cleanup(func() {
		execAdmin(t, serverURL, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)")
	})

	u.Path = "/" + name
	return u.String()
}

// execAdmin runs one statement on its own connection to the server's
// maintenance database.
func execAdmin(t testing.TB, serverURL, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, serverURL)
	if err != nil {
		t.Fatalf("testenv: connect to PostgreSQL for %q: %v", sql, err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("testenv: %s: %v", sql, err)
	}
}
