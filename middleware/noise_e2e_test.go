package middleware_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/flags"
	"github.com/shadowread/shadowread/middleware"
	"github.com/shadowread/shadowread/telemetry"
)

// TestNoiseBaselineAgainstRealStores: a catalog handler that stamps every
// answer with a fresh request id, over the real PostgreSQL and dynalite,
// reaches readiness (every pair matches once the id is learned) with the
// noise baseline on, and never without it.
func TestNoiseBaselineAgainstRealStores(t *testing.T) {
	products := []Product{{ID: "p1", Name: "Linen shirt", Price: 49.9, UpdatedAt: time.Date(2026, 3, 1, 10, 0, 0, 123456000, time.UTC)}}
	pool, ddb, table := seededStores(t, products)
	router := backends.NewRouter(map[backends.Name]ProductStore{
		backends.Postgres: &pgProductStore{pool: pool},
		backends.DynamoDB: &ddbProductStore{client: ddb.Client, table: table},
	})
	stamped := func(w http.ResponseWriter, r *http.Request) {
		p, err := router.For(r.Context()).Get(r.Context(), chi.URLParam(r, "id"))
		if err != nil {
			http.Error(w, `{"error":"store unavailable"}`, http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(struct {
			Product
			RequestID string `json:"request_id"`
		}{p, fmt.Sprintf("%016x", rand.Uint64())})
	}

	tests := []struct {
		name      string
		baseline  bool
		wantReady bool
		reason    string
	}{
		{"baseline on", true, true, "the request id differs between two PostgreSQL reads too, so it is learned as noise"},
		{"baseline off", false, false, "without the baseline every pair differs in its request id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newSpy()
			opts := []middleware.Option{middleware.WithFlags(flags.New(fullSampling(t), testEvaluation)), middleware.WithRecorder(rec), middleware.WithRecheck(0)}
			if tt.baseline {
				opts = append(opts, middleware.WithNoiseBaseline(100))
			}
			s := middleware.New(opts...)
			t.Cleanup(func() {
				if err := s.Close(context.Background()); err != nil {
					t.Error(err)
				}
			})
			r := chi.NewRouter()
			r.With(s.Handler).Get("/products/{id}", stamped)
			srv := httptest.NewServer(r)
			t.Cleanup(srv.Close)
			var pairs []telemetry.Event
			for range 30 {
				resp, err := http.Get(srv.URL + "/products/p1")
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("user got %d", resp.StatusCode)
				}
				ev := rec.next(t)
				if ev.NoiseBaseline {
					ev = rec.next(t)
				}
				pairs = append(pairs, ev)
			}
			if got := ready(pairs, 20); got != tt.wantReady {
				t.Errorf("every one of the last 20 pairs matched: %v, want %v: %s", got, tt.wantReady, tt.reason)
			}
		})
	}
}

// writtenStore writes a hot product in both stores, PostgreSQL first, just
// before every second read of it from PostgreSQL (the A/A read): a write
// lands between the two reads of every one of its A/A pairs.
type writtenStore struct {
	ProductStore
	write func(ctx context.Context) error
}

func (s writtenStore) Get(ctx context.Context, id string) (Product, error) {
	if _, role := backends.Routing(ctx); id == "p0" && role == backends.RoleShadow {
		if err := s.write(ctx); err != nil {
			return Product{}, err
		}
	}
	return s.ProductStore.Get(ctx, id)
}

// TestWrittenFieldNeverNoiseAgainstRealStores: over the real PostgreSQL and
// dynalite, a hot product is written in both stores between the two reads
// of each of its A/A pairs while half the reads go to it. Its price and
// update time differ between two reads of PostgreSQL every time, but only
// on that one product, so the route learns nothing, and a lost update of
// another product's price is still a mismatch.
func TestWrittenFieldNeverNoiseAgainstRealStores(t *testing.T) {
	var products []Product
	for i := range 30 {
		products = append(products, Product{ID: fmt.Sprintf("p%d", i), Name: "Linen shirt", Price: 49.9,
			UpdatedAt: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)})
	}
	pool, ddb, table := seededStores(t, products)
	hot := products[0]
	write := func(ctx context.Context) error {
		hot.Price++
		hot.UpdatedAt = hot.UpdatedAt.Add(time.Second)
		if _, err := pool.Exec(ctx, `UPDATE products SET price = $1, updated_at = $2 WHERE id = 'p0'`, hot.Price, hot.UpdatedAt); err != nil {
			return err
		}
		return putProductItem(ctx, ddb.Client, table, hot)
	}
	router := backends.NewRouter(map[backends.Name]ProductStore{
		backends.Postgres: writtenStore{ProductStore: &pgProductStore{pool: pool}, write: write},
		backends.DynamoDB: &ddbProductStore{client: ddb.Client, table: table},
	})
	rec := newSpy()
	s := middleware.New(middleware.WithFlags(flags.New(fullSampling(t), testEvaluation)), middleware.WithRecorder(rec),
		middleware.WithRecheck(0), middleware.WithNoiseBaseline(100))
	t.Cleanup(func() { s.Close(context.Background()) })
	r := chi.NewRouter()
	r.With(s.Handler).Get("/products/{id}", getProduct(router))
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	get := func(id string) telemetry.Event {
		t.Helper()
		resp, err := http.Get(srv.URL + "/products/" + id)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		var pair telemetry.Event
		for range 2 { // the A/A pair's event and the pair's
			if ev := rec.next(t); !ev.NoiseBaseline {
				pair = ev
			}
		}
		return pair
	}
	for i := range 2 * middleware.NoiseWindow {
		id := "p0"
		if i%2 == 1 {
			id = products[1+i%29].ID
		}
		get(id)
	}
	if got := s.Noise("/products/{id}"); len(got) != 0 {
		t.Fatalf("learned %q, want nothing: price and updated_at change only where writes race the reads of one product", got)
	}
	lost := products[5]
	lost.Price = 10
	putProduct(t, ddb.Client, table, lost) // DynamoDB holds a value PostgreSQL never had
	if ev := get("p5"); ev.Outcome != telemetry.Mismatch || len(ev.Result.Diffs) != 1 || ev.Result.Diffs[0].Field != "price" {
		t.Errorf("outcome %q diffs %v noise %q, want a mismatch on price", ev.Outcome, ev.Result.Diffs, ev.Noise)
	}
}
