package demo

import (
	"context"

	"github.com/shadowread/shadowread/example/internal/dualwrite"
)

// drift puts differences between the stores, on keys requests read and on
// keys none reads.
func (d *demoRun) drift(ctx context.Context) (verdict, error) {
	if err := d.setFlags(flagState{mode: dualwrite.WriteBoth, shadowing: true}); err != nil {
		return verdict{}, err
	}
	drifts, victims, err := InjectDrift(ctx, d.app.Postgres, d.app.DynamoDB, d.keys, d.sampled, d.cfg.Dataset.Seed)
	if err != nil {
		return verdict{}, err
	}
	unread, err := InjectUnreadDrift(ctx, d.app.Postgres, d.app.DynamoDB, d.keys)
	if err != nil {
		return verdict{}, err
	}
	d.drifts, d.victims = append(drifts, unread...), victims
	real := 0
	for _, dr := range d.drifts {
		if len(dr.Paths) > 0 {
			d.tracker.Watch(dr.Paths...)
		}
		if !dr.Benign {
			real++
		}
	}
	return pass("%d real differences (%d on keys no request reads), %d representation differences",
		real, len(unread), len(d.drifts)-real), nil
}
