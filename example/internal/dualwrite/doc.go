// Package dualwrite is the write side of the example service during the
// migration: the write endpoints, the write mode that says which stores
// they write, the repair logs (outboxes) of the writes a store missed, and
// a circuit breaker per store.
//
// Two write endpoints, mounted with catalog.WithWriteRoutes([Writer.Mount]),
// go through a [Writer], which writes the stores that the write mode names
// ([WriteMode], the flag shadowread.write-mode beside shadowread.primary,
// read per request through [NewFlagWriteModes]):
//
//	postgres        PostgreSQL only, before the migration
//	both            PostgreSQL, the source of truth, then DynamoDB (the dual write)
//	dynamodb-first  DynamoDB, now the source of truth, then PostgreSQL, kept up for rollback
//	dynamodb        DynamoDB only; PostgreSQL can be decommissioned
//
// In mode both the PostgreSQL transaction also adds a row to the repair log
// (the dynamodb_outbox table); the row is deleted once DynamoDB has the
// change. A DynamoDB failure does not fail the request; it is logged,
// counted and its row stays in the log. The second store's write has a
// short budget ([WithSecondWriteBudget]): past it the request answers and
// the repair log carries the change, so a stalled store does not slow
// writes. A circuit breaker per store ([WithBreaker]) stops attempting a
// store that keeps failing, lets one write probe it now and then, and shows
// its state as the gauge catalog.breaker.state. In mode dynamodb-first the
// roles turn: an intent goes to PostgreSQL's repair log, kept in DynamoDB, before
// the change, and PostgreSQL gets a copy of the entity's new DynamoDB state
// after it. Order ids come from PostgreSQL's sequence or from a counter
// item in DynamoDB, each kept above the other's ids, so modes can go back
// and forth.
//
//	POST /customers/{customerID}/orders             {"lines":[{"sku":"P1-M","quantity":2}]}
//	PUT  /products/{productID}/variants/{sku}/price  {"price":"12.50"}
//
// Reads refuse a store that the write mode does not write ([CheckRead],
// given to catalog.WithReadGuard as [Guard]): a 503 that names the flags,
// so that no combination of the two flags serves stale data.
//
// [RepairLogs] reads both repair logs; the repair package replays them.
package dualwrite
