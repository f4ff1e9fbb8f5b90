// Package cutover moves the primary of each route from PostgreSQL to
// DynamoDB a share of users at a time, while the evidence holds, and moves
// it back on its own when the evidence breaks: the canary loop of Flagger
// or Argo Rollouts, applied to a store instead of a deployment.
//
// A [Controller] ([New]) walks each route through a plan of shares (by
// default 1, 5, 25, 50 and 100 %, [WithPlan]). It writes the share to the
// flag flags.KeyPrimaryPercent, which the flags package rolls per user,
// stickily, at cached-mode cost. At every interval it checks gates on the
// route's [Evidence]:
//
//   - before the first step, [ForwardReady]: DynamoDB as PostgreSQL's shadow
//     is ready (bound and coverage);
//   - at every step, [ReverseUnder], [LatencyWithin] and [ErrorsWithin]: the
//     moved users' comparisons (DynamoDB primary, PostgreSQL shadow), p99
//     and 5xx rate against PostgreSQL's;
//   - the user's own gates, [WithGates].
//
// A step whose gates pass for the hold ([WithHold]) is good and the next
// step follows; a route that holds its last step is complete at 100%, and
// stays watched until the primary flag itself moves to DynamoDB. A
// gate that fails rolls the route back at once to its last good step, and
// to 0% after [WithMaxFailures] rollbacks, where it stays. A gate that
// waits (not enough evidence yet) holds the route where it is. Routes
// advance independently. Every decision is a log line, a span event and
// three gauges per route (shadowread.cutover.share, .step and .gate).
//
// # State and leadership
//
// The flag values are the state: a restarted controller reads each route's
// share back ([Actuator]), resumes at the highest step reached, counts the
// step before it as good and holds again. Failure counts are not kept, so a
// route halted at 0% tries again after a restart. Only the holder of the
// [Lease] acts ([PostgresLease] keeps it in PostgreSQL); on taking it over
// a controller re-reads the flags, which another may have moved.
//
// # Sources and actuators
//
// [Local] reads one process's telemetry, for tests and services of one
// replica; the fleet's evidence is in Prometheus, read by the
// shadowread-cutover command's source, a module of its own so that this
// package adds no dependency. [FlagFile] writes flagd's flag file, which
// flagd's file sync picks up.
package cutover
