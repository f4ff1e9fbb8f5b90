package demo

import (
	"context"

	"github.com/shadowread/shadowread/example/internal/dualwrite"
)

// dynamoDBFirst makes DynamoDB the source of truth for writes and the
// primary of every read; PostgreSQL follows for rollback. The switch waits
// for DynamoDB's repair log to drain, as an operator's must: an order that
// has not reached DynamoDB yet is unknown to its id counter, which could
// hand the same id out again (dualwrite's PlaceOrder says so).
func (d *demoRun) dynamoDBFirst(ctx context.Context) (verdict, error) {
	drained, err := d.drainLogs(ctx)
	if err != nil {
		return verdict{}, err
	}
	if !drained {
		v := pass("DynamoDB not made the source of truth")
		v.check(false, "repair logs not empty 30s before the switch: DynamoDB's id counter would not know every order")
		return v, nil
	}
	if err := d.setFlags(flagState{mode: dualwrite.WriteDynamoDBFirst, shadowing: true, dynamo: 100}); err != nil {
		return verdict{}, err
	}
	v, err := d.cleanLoad(ctx, "dynamodb-first", d.cfg.PhaseDuration)
	if err != nil {
		return verdict{}, err
	}
	drained, err = d.drainLogs(ctx)
	if err != nil {
		return verdict{}, err
	}
	v.check(drained, "repair logs not empty 30s after the load")
	v.says = "DynamoDB written first and primary for all; " + v.says
	return v, nil
}
