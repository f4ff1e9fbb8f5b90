// Package catalog is the example service of shadowread: a product catalog
// with customers' orders, served from PostgreSQL and from DynamoDB during a
// migration from the one to the other.
//
// It is the code a team would write around the library, and the code the
// benchmark harness builds its service from, so its construction is
// reusable and stable:
//
//	pg := catalog.NewPostgresStore(pool)                      // pool: postgres.Open
//	ddb := catalog.NewDynamoDBStore(client.Client, "catalog") // client: dynamodb.New
//	stores := catalog.NewStores(pg, ddb)
//	shadow := middleware.New(...)
//	router := catalog.NewRouter(stores, shadow.Handler, // nil instead: no shadowing
//		catalog.WithWriter(catalog.NewDualWriter(pg, ddb)))
//
// # Reads
//
// [NewRouter] serves three read endpoints, each written once against a
// store interface ([ProductStore], [OrderStore]) and reading from the store
// that the request's context routes to through a [backends.Router]. The
// shadow middleware, given as a plain func(http.Handler) http.Handler,
// wraps each read route; nil serves PostgreSQL alone.
//
//	GET /products/{productID}                        a product with its variants
//	GET /customers/{customerID}/orders?cursor=&limit=  a customer's orders, newest first
//	GET /orders/{orderID}                            an order with its lines
//
// Both stores give the same JSON for the same data, with one deliberate
// exception that real services have too: a price is served as the store's
// own decimal text, 12.50 from PostgreSQL's NUMERIC(12,2) and 12.5 from
// DynamoDB, which normalises numbers. Both are JSON numbers of one value,
// and the comparator, which compares numbers by value, sees no difference.
//
// The order list is paginated with a [Cursor] that means the same on both
// stores (created_at and order id), so a page from one store continues on
// the other. Counting a product view is the read path's one side effect,
// and it is skipped when [backends.IsShadow] says the request is a shadow.
//
// A user's read has a deadline ([WithReadTimeout], [DefaultReadTimeout]):
// a store that stalls answers 503 naming the store within it, never a
// hang; a shadow read keeps the middleware's own timeout. With
// [WithShadowBehind], a shadow read of an entity that still waits in the
// repair log of the store it reads says so (middleware.ShadowBehind): the
// pair is skipped as behind, not counted as a mismatch.
//
// # The two stores
//
// [PostgresStore] holds normalised tables with foreign keys, NUMERIC prices
// and timestamptz times (schema.sql). [DynamoDBStore] keeps the same data in
// one table with composite keys:
//
//	PRODUCT#<id>    META                             the product
//	PRODUCT#<id>    VARIANT#<sku>                    one item per variant
//	CUSTOMER#<id>   ORDER#<created_at>#<order id>    an order, lines embedded
//
// and one global secondary index, GSI1 (ORDER#<id>, ORDER), for an order by
// id. Times are Numbers of microseconds, so that conditional writes can
// compare them.
//
// # Writes and the write mode
//
// Two write endpoints, mounted with [WithWriter], go through a
// [DualWriter], which writes the stores that the write mode names
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
// its state as the gauge catalog.breaker.state. In mode dynamodb-first the roles
// turn: an intent goes to PostgreSQL's repair log, kept in DynamoDB, before
// the change, and PostgreSQL gets a copy of the entity's new DynamoDB state
// after it. Order ids come from PostgreSQL's sequence or from a counter
// item in DynamoDB, each kept above the other's ids, so modes can go back
// and forth.
//
//	POST /customers/{customerID}/orders             {"lines":[{"sku":"P1-M","quantity":2}]}
//	PUT  /products/{productID}/variants/{sku}/price  {"price":"12.50"}
//
// Reads refuse a store that the write mode does not write ([CheckRead],
// mounted with [WithWriteModeGuard]): a 503 that names the flags, so that no
// combination of the two flags serves stale data.
//
// # Repair
//
// A [RepairWorker], owned by the service, replays both repair logs within
// seconds ([Repair] and [RepairPostgres] do it once, for the catalog repair
// command): a bounded batch per round, a pause that doubles while the
// target store fails, and gauges of each log's depth and oldest entry.
// While it backs off it asks the stores every interval whether they answer,
// and drains at once when a store comes back. A failed attempt is recorded
// on its entry (attempts, last error) with a context of its own, since the
// attempt's context is often the one that timed out.
//
// # Copying between the stores
//
// The dual write, the repairs and [Backfill] copy an entity the same way:
// they read its current state from the source of truth and write it to the
// other store only if that store has no later updated_at. So an old row
// read by the backfill never overwrites a newer item of the dual write, and
// replaying any of them is harmless. [Backfill] reads PostgreSQL in ranges
// of ids with bounded concurrency, to spare the primary, and resumes from a
// checkpoint; [BackfillShared] leases the ranges through PostgreSQL instead,
// so that any number of processes share one backfill.
//
// # Verification
//
// [NewVerifier] gives the library's [verify] package the catalog's
// customers, products and orders: each listed by key range from PostgreSQL
// and read from DynamoDB through the endpoints' read path, and the table
// scanned in parallel segments, so a run checks bodies, keys, index keys
// and stray items, shared by any number of processes. [RepairFindings]
// repairs what a run found.
package catalog
