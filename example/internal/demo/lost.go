package demo

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/example/internal/catalog"
)

// lostReads is how many times a sampled customer reads the product whose
// update was lost before the later write repairs it.
const lostReads = 2

// loseUpdate puts a lost update into the stores and repairs it with a
// later write, around the dark reads' re-checks: a price change reaches
// PostgreSQL only (outside the repair log, as if its DynamoDB half had
// been lost), a sampled customer reads the product, and once the shadows
// of those reads have answered from DynamoDB, a second price change goes
// through the service to both stores. The re-checks, a second later, see
// the stores agree; the shadow's first answer (the old price) equals
// neither of the primary's (the lost price, the later one), so no write
// explains it: each read must be a mismatch whose re-check says repaired.
// It runs with no other load, so that it can tell when the shadows have
// answered.
func (d *demoRun) loseUpdate(ctx context.Context, avoid map[int64]bool) (Drift, error) {
	v, ok := d.readerVariant(avoid)
	if !ok {
		return Drift{}, fmt.Errorf("no variant of a product readers read is free for the lost update")
	}
	path := "/products/" + strconv.FormatInt(v.Product, 10)
	customer, ok := d.sampledCustomer(catalog.RouteProduct, path)
	if !ok {
		return Drift{}, fmt.Errorf("no customer is sampled on %s", catalog.RouteProduct)
	}
	if !d.drainShadows() {
		return Drift{}, fmt.Errorf("shadows of the load still running 10s after it")
	}
	var before string
	if err := d.app.Postgres.Pool().QueryRow(ctx, `SELECT price::text FROM variants WHERE product_id = $1 AND sku = $2`,
		v.Product, v.SKU).Scan(&before); err != nil {
		return Drift{}, err
	}
	lost, later := otherPrice(before, "301.17"), otherPrice(before, "302.28")
	if err := pgx.BeginFunc(ctx, d.app.Postgres.Pool(), func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE variants SET price = $3 WHERE product_id = $1 AND sku = $2`, v.Product, v.SKU, lost); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE products SET updated_at = greatest(now(), updated_at + interval '1 microsecond') WHERE id = $1`, v.Product)
		return err
	}); err != nil {
		return Drift{}, err
	}
	d.tracker.Watch(path)
	client := &http.Client{Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	start := time.Now()
	for range lostReads {
		if err := d.readAs(ctx, client, path, customer); err != nil {
			return Drift{}, err
		}
	}
	// The first answers are in once no shadow runs; the re-checks wait
	// without a slot.
	for deadline := time.Now().Add(10 * time.Second); d.app.Shadow.InFlight() > 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			return Drift{}, fmt.Errorf("the shadows of %s still running 10s after its reads", path)
		}
	}
	hw := HotWriter{BaseURL: d.base}
	body := fmt.Sprintf(`{"price":%q}`, later)
	if status, _ := hw.send(ctx, client, http.MethodPut, path+"/variants/"+v.SKU+"/price", d.keys.WriterCustomers[0], body); status != http.StatusOK {
		return Drift{}, fmt.Errorf("the write that repairs %s answered %d", path, status)
	}
	took := time.Since(start)
	d.repriced = append(d.repriced, v.Product)
	if err := d.sameInBothStores(ctx, path); err != nil {
		return Drift{}, fmt.Errorf("the later write did not repair the lost update: %w", err)
	}
	return Drift{
		What:     "lost update, repaired by a later write",
		Repaired: true,
		Detail: fmt.Sprintf("product %d, %s: %s to %s in PostgreSQL only, read, then %s in both stores %s after the first read",
			v.Product, v.SKU, before, lost, later, Millis(took)),
		Route: catalog.RouteProduct, Paths: []string{path}, Entity: catalog.EntityProduct, ID: v.Product,
	}, nil
}

// otherPrice returns want, or want with one cent more when the price is
// already want.
func otherPrice(price, want string) string {
	if price != want {
		return want
	}
	return want[:len(want)-1] + string(want[len(want)-1]+1)
}

// sameInBothStores reads path from both stores and compares them as the
// middleware does.
func (d *demoRun) sameInBothStores(ctx context.Context, path string) error {
	h := catalog.NewRouter(catalog.NewStores(d.app.Postgres, d.app.DynamoDB), nil, catalog.WithLogger(slog.New(slog.DiscardHandler)))
	pg, ddb := serveOne(ctx, h, backends.Postgres, path), serveOne(ctx, h, backends.DynamoDB, path)
	if res := comparator.JSON(comparator.PostgresDynamoDB()).Compare(pg, ddb); !res.Equal {
		return fmt.Errorf("%s differs: %s", path, res.Signature())
	}
	return nil
}

// readerVariant returns a variant of a reader product outside avoid,
// searching from the middle of the writers' variants.
func (d *demoRun) readerVariant(avoid map[int64]bool) (VariantRef, bool) {
	readers := map[int64]bool{}
	for _, id := range d.keys.ReaderProducts {
		readers[id] = true
	}
	vs := d.keys.WriterVariants
	for i := range vs {
		v := vs[(len(vs)/2+i)%len(vs)]
		if readers[v.Product] && !avoid[v.Product] {
			return v, true
		}
	}
	return VariantRef{}, false
}

// drifted returns the products drift was put on.
func (d *demoRun) drifted() map[int64]bool {
	avoid := map[int64]bool{}
	for _, id := range d.victims.Products {
		avoid[id] = true
	}
	return avoid
}
