package demo

import (
	"context"
	"time"

	"github.com/shadowread/shadowread/example/internal/dualwrite"
)

// dualWrite flips the write mode to both: a write now reaches both stores.
func (d *demoRun) dualWrite(ctx context.Context) (verdict, error) {
	if err := d.setFlags(flagState{mode: dualwrite.WriteBoth}); err != nil {
		return verdict{}, err
	}
	stats, err := d.load(ctx, "", 0, LoadConfig{Duration: time.Second, WritesOnly: true})
	if err != nil {
		return verdict{}, err
	}
	lost, differ, err := d.writesInBothStores(ctx, stats.PlacedOrders, stats.RepricedProducts)
	if err != nil {
		return verdict{}, err
	}
	v := pass("write mode both: %d orders and %d price changes, each in both stores", len(stats.PlacedOrders), len(stats.RepricedProducts))
	v.check(stats.Errors == 0, "%d writes failed", stats.Errors)
	v.check(len(stats.PlacedOrders) > 0, "no write was made")
	v.check(len(lost) == 0 && len(differ) == 0, "missing in DynamoDB: %v; different: %v", lost, differ)
	return v, nil
}
