package demo

import "context"

// decommission drops PostgreSQL's tables; the service goes on.
func (d *demoRun) decommission(ctx context.Context) (verdict, error) {
	if _, err := d.app.Postgres.Pool().Exec(ctx, `DROP TABLE order_lines, orders, variants, products, customers,
	dynamodb_outbox, backfill_checkpoints, shadowread_verify_findings, shadowread_verify_scanned, shadowread_verify_sums,
	shadowread_verify_units, shadowread_verify_runs`); err != nil {
		return verdict{}, err
	}
	v, err := d.cleanLoad(ctx, "decommissioned", d.cfg.PhaseDuration/2)
	if err != nil {
		return verdict{}, err
	}
	v.says = "PostgreSQL tables dropped; " + v.says
	return v, nil
}
