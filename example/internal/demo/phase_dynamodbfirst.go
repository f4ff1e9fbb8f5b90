package demo

import (
	"context"

	"github.com/shadowread/shadowread/example/internal/dualwrite"
)

// dynamoDBFirst makes DynamoDB the source of truth for writes and the
// primary of every read; PostgreSQL follows for rollback.
func (d *demoRun) dynamoDBFirst(ctx context.Context) (verdict, error) {
	if err := d.setFlags(flagState{mode: dualwrite.WriteDynamoDBFirst, shadowing: true, dynamo: 100}); err != nil {
		return verdict{}, err
	}
	v, err := d.cleanLoad(ctx, "dynamodb-first", d.cfg.PhaseDuration)
	if err != nil {
		return verdict{}, err
	}
	drained, err := d.drainLogs(ctx)
	if err != nil {
		return verdict{}, err
	}
	v.check(drained, "repair logs not empty 30s after the load")
	v.says = "DynamoDB written first and primary for all; " + v.says
	return v, nil
}
