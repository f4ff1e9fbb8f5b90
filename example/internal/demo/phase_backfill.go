package demo

import (
	"context"

	"github.com/shadowread/shadowread/example/internal/backfill"
)

// backfill copies the history.
func (d *demoRun) backfill(ctx context.Context) (verdict, error) {
	var total int64 // the seeded rows and the dual write's orders
	if err := d.app.Postgres.Pool().QueryRow(ctx, `SELECT (SELECT count(*) FROM customers) + (SELECT count(*) FROM products) + (SELECT count(*) FROM orders)`).Scan(&total); err != nil {
		return verdict{}, err
	}
	bf, err := backfill.Run(ctx, d.app.Postgres, d.app.DynamoDB, backfill.WithProgress(BackfillProgress(d.out, total)))
	d.out.Done()
	if err != nil {
		return verdict{}, err
	}
	var rows, items int64
	for _, p := range bf {
		rows += p.Rows
		items += p.Written + p.Skipped
	}
	v := pass("%s rows as %s items, conditional on updated_at", Count(rows), Count(items))
	v.check(rows == total, "copied %d rows of %d", rows, total)
	return v, nil
}
