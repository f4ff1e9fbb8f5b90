package testenv_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/shadowread/shadowread/internal/testenv"
)

func TestPostgresStopAndStartKeepPortAndData(t *testing.T) {
	pg := testenv.StartPostgres(t)
	dbURL := pg.URL()
	conn := connect(t, dbURL)
	if _, err := conn.Exec(t.Context(), "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('before')"); err != nil {
		t.Fatalf("write before the restart: %v", err)
	}

	pg.Stop()
	// Fast shutdown closes open connections and refuses new ones.
	if _, err := conn.Exec(t.Context(), "SELECT 1"); err == nil {
		t.Error("a query on a connection to a stopped cluster succeeded")
	}
	if c, err := pgx.Connect(t.Context(), dbURL); err == nil {
		c.Close(context.Background())
		t.Error("connecting to a stopped cluster succeeded")
	}
	pg.Stop() // a second Stop does nothing

	pg.Start()
	if pg.URL() != dbURL {
		t.Errorf("URL after restart = %s, want %s: clients keep their URL", pg.URL(), dbURL)
	}
	var v string
	if err := connect(t, dbURL).QueryRow(t.Context(), "SELECT v FROM kept").Scan(&v); err != nil {
		t.Fatalf("read after the restart: %v", err)
	}
	if v != "before" {
		t.Errorf("row after restart = %q, want %q: a restart must keep the data", v, "before")
	}
}
