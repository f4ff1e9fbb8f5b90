// Package repair replays the repair logs of the dual write
// (dualwrite.RepairLogs) into the store each is for.
//
// A [Worker], owned by the service, replays both repair logs within
// seconds ([Replay] and [ReplayPostgres] do it once, for the catalog repair
// command): a bounded batch per round, a pause that doubles while the
// target store fails, and gauges of each log's depth and oldest entry.
// While it backs off it asks the stores every interval whether they answer,
// and drains at once when a store comes back. A failed attempt is recorded
// on its entry (attempts, last error) with a context of its own, since the
// attempt's context is often the one that timed out.
package repair
