package cutover

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/shadowread/shadowread/internal/testenv"
)

// TestPostgresLease: one controller holds the lease at a time; it renews
// it, and another takes it over once it is released or expired.
func TestPostgresLease(t *testing.T) {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, testenv.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	a := NewPostgresLease(pool, "catalog", "a", time.Hour)
	b := NewPostgresLease(pool, "catalog", "b", time.Hour)
	other := NewPostgresLease(pool, "orders", "b", time.Hour)

	steps := []struct {
		name   string
		lease  *PostgresLease
		before func()
		want   bool
		reason string
	}{
		{"a takes a free lease", a, nil, true, "the table is created on first use"},
		{"b is refused", b, nil, false, "a's lease runs for an hour"},
		{"a renews", a, nil, true, "the holder renews its own lease"},
		{"b on another cutover", other, nil, true, "leases are per name"},
		{"b after a released", b, func() {
			if err := a.Release(ctx); err != nil {
				t.Fatal(err)
			}
		}, true, "a released lease is free at once"},
		{"a is refused", a, nil, false, "b holds it now"},
		{"a after b expired", a, func() {
			if _, err := pool.Exec(ctx, `UPDATE shadowread_cutover_lease SET expires = now() - interval '1 second' WHERE name = 'catalog'`); err != nil {
				t.Fatal(err)
			}
		}, true, "an expired lease is taken over"},
	}
	for _, s := range steps {
		if s.before != nil {
			s.before()
		}
		held, err := s.lease.Hold(ctx)
		if err != nil || held != s.want {
			t.Fatalf("%s: Hold = %v, %v; want %v (%s)", s.name, held, err, s.want, s.reason)
		}
	}
}

// TestControllerActsOnlyWithThePostgresLease: of two controllers on one
// flag file and one lease, only the holder acts.
func TestControllerActsOnlyWithThePostgresLease(t *testing.T) {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, testenv.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	clk, file, ev := newClock(), flagFile(t), newFakeEvidence(route)
	first := newTestController(t, []string{route}, ev, file, NewPostgresLease(pool, "catalog", "first", time.Hour), clk)
	second := newTestController(t, []string{route}, ev, file, NewPostgresLease(pool, "catalog", "second", time.Hour), clk)
	tick(t, first)
	if err := second.Tick(ctx); err != ErrNotLeader {
		t.Fatalf("second controller's Tick = %v, want ErrNotLeader", err)
	}
	if got := shares(t, file, route)[route]; got != 1 {
		t.Errorf("share %v, want 1 from the first controller alone", got)
	}
}
