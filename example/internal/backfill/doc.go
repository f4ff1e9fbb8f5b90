// Package backfill copies the catalog's history from PostgreSQL to
// DynamoDB.
//
// The dual write, the repairs and [Run] copy an entity the same way:
// they read its current state from the source of truth and write it to the
// other store only if that store has no later updated_at. So an old row
// read by the backfill never overwrites a newer item of the dual write, and
// replaying any of them is harmless. [Run] reads PostgreSQL in ranges
// of ids with bounded concurrency, to spare the primary, and resumes from a
// checkpoint; [RunShared] leases the ranges through PostgreSQL instead,
// so that any number of processes share one backfill.
package backfill
