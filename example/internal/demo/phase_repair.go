package demo

import (
	"context"
	"strings"

	"github.com/shadowread/shadowread/example/internal/verification"
)

// repairDrift repairs what verification found and verifies again: nothing
// may differ before customers are served from DynamoDB.
func (d *demoRun) repairDrift(ctx context.Context) (verdict, error) {
	n, err := verification.RepairFindings(ctx, d.app.Postgres, d.app.DynamoDB, d.verifyReport.Differences())
	if err != nil {
		return verdict{}, err
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
