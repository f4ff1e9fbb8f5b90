// Package verify proves that two stores hold the same entities: every
// entity of every kind, the keys and index attributes of the items that
// hold it, and the items that belong to no entity.
//
// The user describes each entity kind with a [Kind]: how to list a key
// range from the source store (PostgreSQL) and how to read one entity from
// the target through the service's read path, and gives one [Scan] of the
// target's items. A [Verifier] ([New]) counts and checksums every key range
// of both sides, compares the ranges that differ entity by entity with the
// comparator the shadow middleware uses (so a difference has the same
// signature whichever found it), and reports [Finding] values by signature
// and triage:
//
//	v := verify.New(pool, scan, []verify.Kind{order}, verify.WithRate(500))
//	run, err := v.NewRun(ctx) // once; a stopped run resumes
//	report, err := v.Work(ctx, run) // in every worker
//	report.WriteJSON(os.Stdout)
//
// Work is leased through PostgreSQL (FOR UPDATE SKIP LOCKED), so any number
// of workers on any number of machines share a run; a crashed worker's
// lease runs out and another takes its unit over. An item that cannot be
// decoded is a finding with its key and reason, never the end of a run.
//
// The guides: [docs/migration.md] for what the checksum covers and where
// verification fits in the migration, [docs/operations.md] for running it.
//
// [docs/migration.md]: https://github.com/shadowread/shadowread/blob/main/docs/migration.md
// [docs/operations.md]: https://github.com/shadowread/shadowread/blob/main/docs/operations.md
package verify
