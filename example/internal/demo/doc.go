// Package demo runs the example's demonstration of shadowread: it seeds
// the catalog in PostgreSQL, backfills DynamoDB, puts drift between the two
// stores, serves the catalog with shadow reads, drives load while the flag
// file switches the primary for some customers, and prints the report.
//
// # What is checked
//
// The demo is a test too: [Run] reports whether the shadow reads found
// exactly the drift it injected. A [Tracker] wraps the service's recorder
// and counts the verdicts per request path; [Judge] then requires
//
//   - each real difference ([Drift] with Benign false: an item missing in
//     DynamoDB, a price that went through a float32, an update that never
//     reached DynamoDB, an updated_at cut to whole seconds) to be seen as a
//     mismatch at least once;
//   - each representation difference (Benign: timestamps kept in
//     milliseconds, a price of 49.90 that DynamoDB stores as 49.9) to be
//     compared and never be a mismatch: comparator.PostgresDynamoDB absorbs
//     them;
//   - a lost update that a later write repaired before the re-check
//     (Repaired) to be a mismatch whose re-check says repaired, never a
//     transient: no write explains the shadow's first answer;
//   - no mismatch at all on a path without drift.
//
// [JudgeHot] requires the reads of the hot order list, which a [HotWriter]
// writes during the dark reads, to match or be transient with the write
// the re-check saw (write_raced, shadow_lagged); its written fields must
// not be learned as noise.
//
// # Primary switch
//
// The cutover controller (package cutover) runs the primary switch, as a
// service would run it: [cutover.NewLocal] reads the service's own
// telemetry, [cutover.NewFlagFile] writes the share of each route into the
// flag file, and every read route climbs [SwitchPlan] with holds of
// [SwitchHold], checked every [SwitchInterval]. When [RegressedRoute]
// reaches [RegressAt], a [Regression] makes DynamoDB answer that route's
// reads wrongly; the phase requires the controller to roll that route back
// on its own while the others complete at 100%, with no failed request, no
// stale read and no mismatch but the regression's. A [SwitchWatch] beside
// the tracker tells the regression's mismatches from others and times the
// rollback.
//
// # Load
//
// [Load] reads products, customers' order lists (sometimes the second
// page) and orders, and writes a few orders and prices through the dual
// write. Writes go to the keys reads use ([SeparateWriteKeys] is false): a
// read compared while its key's write is between the two stores differs for
// a moment, and the middleware's re-check makes it transient, not a
// mismatch. Drifted keys are never written, since a write would repair
// them. The drifted keys get a share of the reads, by customers inside the
// sample, so that a run of seconds compares each of them.
//
// # Output
//
// [Printer] rewrites progress lines in place on a terminal and prints them
// as lines of their own elsewhere (CI logs).
package demo
