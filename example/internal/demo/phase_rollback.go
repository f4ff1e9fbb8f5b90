package demo

import (
	"context"
	"fmt"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/example/internal/catalog"
	"github.com/shadowread/shadowread/example/internal/dualwrite"
)

// rollbackDrill sends a share of customers back to PostgreSQL and forward
// again while writes go on: every acknowledged write of the demo must read
// the same from both stores.
func (d *demoRun) rollbackDrill(ctx context.Context) (verdict, error) {
	if err := d.setFlags(flagState{mode: dualwrite.WriteDynamoDBFirst, shadowing: true, dynamo: 100 - d.cfg.RollbackPercent}); err != nil {
		return verdict{}, err
	}
	back := 100 - d.customerShare()
	v, err := d.cleanLoad(ctx, "rollback", d.cfg.PhaseDuration)
	if err != nil {
		return verdict{}, err
	}
	if err := d.setFlags(flagState{mode: dualwrite.WriteDynamoDBFirst, shadowing: true, dynamo: 100}); err != nil {
		return verdict{}, err
	}
	forward, err := d.cleanLoad(ctx, "forward", d.cfg.PhaseDuration/2)
	if err != nil {
		return verdict{}, err
	}
	v.ok = v.ok && forward.ok
	v.evidence = append(v.evidence, forward.evidence...)
	drained, err := d.drainLogs(ctx)
	if err != nil {
		return verdict{}, err
	}
	v.check(drained, "repair logs not empty 30s after the load")
	lost, differ, err := d.writesInBothStores(ctx, d.placed, d.repriced)
	if err != nil {
		return verdict{}, err
	}
	v.check(len(lost) == 0, "writes lost: %v", lost)
	v.check(len(differ) == 0, "writes that differ between the stores: %v", differ)
	v.says = fmt.Sprintf("%.0f%% of customers back on PostgreSQL, then forward; %d lost writes of %d acknowledged since the dual write; %s",
		back, len(lost), len(d.placed)+len(d.repriced), v.says)
	return v, nil
}

// customerShare is the percentage of reader customers DynamoDB serves.
func (d *demoRun) customerShare() float64 {
	n := 0
	for _, c := range d.keys.ReaderCustomers {
		if d.decide(catalog.RouteProduct, c).Primary == backends.DynamoDB {
			n++
		}
	}
	return 100 * float64(n) / float64(len(d.keys.ReaderCustomers))
}
