package middleware_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/flags"
	"github.com/shadowread/shadowread/middleware"
	"github.com/shadowread/shadowread/telemetry"
)

// gatedStore lets its first read through and holds every later one until
// written is closed: the re-check's read of DynamoDB happens after the
// second half of the dual write, however busy the machine is.
type gatedStore struct {
	ProductStore
	mu        sync.Mutex
	reads     int
	firstRead chan struct{} // closed after the first read
	written   chan struct{}
}

func newGatedStore(s ProductStore) *gatedStore {
	return &gatedStore{ProductStore: s, firstRead: make(chan struct{}), written: make(chan struct{})}
}

func (g *gatedStore) Get(ctx context.Context, id string) (Product, error) {
	g.mu.Lock()
	n := g.reads
	g.reads++
	g.mu.Unlock()
	if n > 0 {
		select {
		case <-g.written:
		case <-ctx.Done():
			return Product{}, ctx.Err()
		}
	}
	p, err := g.ProductStore.Get(ctx, id)
	if n == 0 {
		close(g.firstRead)
	}
	return p, err
}

// TestRecheckAgainstRealStores: during a dual write PostgreSQL is written a
// few milliseconds before DynamoDB, and a read in between sees the two
// stores apart. The default re-check reads both again and finds them equal:
// transient. A real drift on the same route stays a mismatch, and the
// default comparator absorbs what only differs in representation.
func TestRecheckAgainstRealStores(t *testing.T) {
	ctx := context.Background()
	products := []Product{
		{ID: "p1", Name: "Linen shirt", Price: 49.9, UpdatedAt: time.Date(2026, 3, 1, 10, 0, 0, 123456000, time.UTC)},
		{ID: "p2", Name: "Canvas tote", Price: 12.5, UpdatedAt: time.Date(2026, 3, 2, 11, 30, 0, 0, time.UTC)},
		{ID: "p3", Name: "Wool scarf", Price: 30, UpdatedAt: time.Date(2026, 3, 3, 9, 15, 0, 987654000, time.UTC)},
		{ID: "p4", Name: "Straw hat", Price: 25, UpdatedAt: time.Date(2026, 3, 4, 8, 0, 0, 0, time.UTC)},
	}
	pool, ddb, table := seededStores(t, products)
	// DynamoDB keeps p3's time in milliseconds, as items written by the
	// dual write do; PostgreSQL's timestamptz keeps microseconds.
	inMillis := products[2]
	inMillis.UpdatedAt = inMillis.UpdatedAt.Truncate(time.Millisecond)
	putProduct(t, ddb.Client, table, inMillis)
	pgStore := &pgProductStore{pool: pool}
	ddbStore := &ddbProductStore{client: ddb.Client, table: table}

	// serve mounts a fresh Shadower with its defaults (re-check and
	// comparator) over the stores and returns the event of one GET.
	serve := func(t *testing.T, dynamo ProductStore, id string, meanwhile func()) telemetry.Event {
		t.Helper()
		router := backends.NewRouter(map[backends.Name]ProductStore{backends.Postgres: pgStore, backends.DynamoDB: dynamo})
		rec := newSpy()
		s := middleware.New(middleware.WithFlags(flags.New(fullSampling(t), testEvaluation)), middleware.WithRecorder(rec))
		t.Cleanup(func() {
			if err := s.Close(context.Background()); err != nil {
				t.Error(err)
			}
		})
		r := chi.NewRouter()
		r.With(s.Handler).Get("/products/{id}", getProduct(router))
		srv := httptest.NewServer(r)
		t.Cleanup(srv.Close)
		resp, err := http.Get(srv.URL + "/products/" + id)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d", id, resp.StatusCode)
		}
		meanwhile()
		return rec.next(t)
	}

	tests := []struct {
		name        string
		id          string
		before      func(t *testing.T) // before the GET
		after       func(t *testing.T, gate *gatedStore)
		want        telemetry.Outcome
		wantRecheck telemetry.RecheckResult
		reason      string
	}{
		{
			name: "write racing the read",
			id:   "p1",
			before: func(t *testing.T) {
				// The dual write's first half.
				if _, err := pool.Exec(ctx, `UPDATE products SET price = 59.9 WHERE id = 'p1'`); err != nil {
					t.Fatal(err)
				}
			},
			after: func(t *testing.T, gate *gatedStore) {
				// Its second half, once the shadow has read the old item.
				<-gate.firstRead
				newer := products[0]
				newer.Price = 59.9
				putProduct(t, ddb.Client, table, newer)
				close(gate.written)
			},
			want: telemetry.Transient, wantRecheck: telemetry.RecheckTransient,
			reason: "DynamoDB caught up a few milliseconds later: its second answer equals PostgreSQL's first",
		},
		{
			name: "lost update repaired by a later write",
			id:   "p4",
			before: func(t *testing.T) {
				// An update that reached PostgreSQL only: DynamoDB lost it.
				if _, err := pool.Exec(ctx, `UPDATE products SET price = 27 WHERE id = 'p4'`); err != nil {
					t.Fatal(err)
				}
			},
			after: func(t *testing.T, gate *gatedStore) {
				// A later dual write lands in both stores before the re-check.
				<-gate.firstRead
				if _, err := pool.Exec(ctx, `UPDATE products SET price = 29 WHERE id = 'p4'`); err != nil {
					t.Fatal(err)
				}
				newer := products[3]
				newer.Price = 29
				putProduct(t, ddb.Client, table, newer)
				close(gate.written)
			},
			want: telemetry.Mismatch, wantRecheck: telemetry.RecheckRepaired,
			reason: "DynamoDB's first answer (25) was never an answer of PostgreSQL (27, then 29): data was lost, and a later write hid it",
		},
		{
			name: "real drift",
			id:   "p2",
			before: func(t *testing.T) {
				drifted := products[1]
				drifted.Price = 13.5
				putProduct(t, ddb.Client, table, drifted)
			},
			after: func(t *testing.T, gate *gatedStore) { close(gate.written) },
			want:  telemetry.Mismatch, wantRecheck: telemetry.RecheckConfirmed,
			reason: "DynamoDB holds another price on the re-check too",
		},
		{
			name:   "timestamp precision",
			id:     "p3",
			before: func(*testing.T) {},
			after:  func(*testing.T, *gatedStore) {},
			want:   telemetry.Match, wantRecheck: telemetry.RecheckNone,
			reason: "the default comparator is the PostgreSQL-DynamoDB preset, which compares times to the millisecond",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gate := newGatedStore(ddbStore)
			if tt.want == telemetry.Match {
				close(gate.written)
			}
			tt.before(t)
			ev := serve(t, gate, tt.id, func() { tt.after(t, gate) })
			if ev.Outcome != tt.want || ev.Recheck != tt.wantRecheck {
				t.Fatalf("outcome %q re-check %q (diffs %v), want %q and %q: %s",
					ev.Outcome, ev.Recheck, ev.Result.Diffs, tt.want, tt.wantRecheck, tt.reason)
			}
			if tt.want != telemetry.Match && (len(ev.Result.Diffs) != 1 || ev.Result.Diffs[0].Path != "price") {
				t.Errorf("diffs %v, want the one at price", ev.Result.Diffs)
			}
		})
	}
}
