package demo

import (
	"context"
	"time"
)

// seed fills PostgreSQL; the write mode is postgres, no shadow reads.
func (d *demoRun) seed(ctx context.Context) (verdict, error) {
	s, err := Seed(ctx, d.app.Postgres.Pool(), d.cfg.Dataset, time.Now())
	if err != nil {
		return verdict{}, err
	}
	d.seeded = s
	if d.keys, err = LoadKeys(ctx, d.app.Postgres.Pool()); err != nil {
		return verdict{}, err
	}
	v := pass("%s customers, %s products (%s variants), %s orders; write mode postgres",
		Count(s.Customers), Count(s.Products), Count(s.Variants), Count(s.Orders))
	return v, nil
}
