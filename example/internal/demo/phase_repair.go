package demo

import (
	"context"
	"strings"

	"github.com/shadowread/shadowread/example/internal/verification"
)

// repairDrift repairs what verification found and verifies again: nothing
// may differ before customers are served from DynamoDB. The dual write's
// writes that DynamoDB refused meanwhile (its budget, its breaker) wait in
// the repair log: the worker replays them first, as an operator waits for
// the log to drain before a verification meant to come out clean.
func (d *demoRun) repairDrift(ctx context.Context) (verdict, error) {
	n, err := verification.RepairFindings(ctx, d.app.Postgres, d.app.DynamoDB, d.verifyReport.Differences())
	if err != nil {
		return verdict{}, err
	}
	drained, err := d.drainLogs(ctx)
	if err != nil {
		return verdict{}, err
	}
	if !drained {
		v := pass("%d entities repaired", n)
		v.check(false, "the repair log did not drain in 30s: a second verification would count writes still on their way")
		return v, nil
	}
	r, took, err := d.runVerify(ctx)
	if err != nil {
		return verdict{}, err
	}
	v := pass("%d entities repaired; a second verification finds %d differences (%d absorbed) in %s",
		n, len(r.Differences()), len(r.Findings)-len(r.Differences()), Seconds(took))
	for _, f := range r.Differences() {
		v.check(false, "still different: %s %d %s %s", f.Kind, f.ID, f.Problem, strings.Join(f.Fields, ","))
	}
	return v, nil
}
