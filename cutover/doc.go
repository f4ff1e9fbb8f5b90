// Package cutover moves the primary of each route from PostgreSQL to
// DynamoDB a share of users at a time, while the evidence holds, and moves
// it back on its own when the evidence breaks: the canary loop of Flagger
// or Argo Rollouts, applied to a store instead of a deployment.
//
// A [Controller] ([New]) walks each route through a plan of shares
// ([WithPlan], by default 1, 5, 25, 50 and 100 %), written to the flag
// flags.KeyPrimaryPercent, which the flags package rolls per user. Before
// the first step the route must be [ForwardReady]; at every step the moved
// users' comparisons, latency and errors must hold ([ReverseUnder],
// [LatencyWithin], [ErrorsWithin], and the user's own, [WithGates]). A step
// that holds for [WithHold] is good and the next follows; a failing gate
// rolls the route back at once. Routes advance independently.
//
//	c := cutover.New(routes, cutover.NewLocal(rec), cutover.NewFlagFile(path),
//		cutover.NewPostgresLease(pool, "catalog", hostname, cutover.DefaultLeaseTTL))
//	err := c.Run(ctx)
//
// [Local] reads one process's telemetry; the fleet's evidence is in
// Prometheus, read by the shadowread-cutover command's source, a module of
// its own so that this package adds no dependency. [FlagFile] writes
// flagd's flag file. The flag values are the state, so a restarted
// controller resumes where its routes stand, and only the holder of the
// [Lease] acts.
//
// The guides: [docs/migration.md] for the plan and the gates in the
// migration, [docs/operations.md] for running the controller, its state,
// leadership, and the log lines, spans and gauges of its decisions.
//
// [docs/migration.md]: https://github.com/shadowread/shadowread/blob/main/docs/migration.md
// [docs/operations.md]: https://github.com/shadowread/shadowread/blob/main/docs/operations.md
package cutover
