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
// # Writes
//
// Two write endpoints, mounted with [WithWriter], go through a
// [DualWriter]: PostgreSQL first, in a transaction that also adds a row to
// the repair log (the dynamodb_outbox table), then DynamoDB. A DynamoDB
// failure does not fail the request; it is logged, counted and its row
// stays in the log until [Repair] replays it.
//
//	POST /customers/{customerID}/orders             {"lines":[{"sku":"P1-M","quantity":2}]}
//	PUT  /products/{productID}/variants/{sku}/price  {"price":"12.50"}
//
// # Copying to DynamoDB
//
// The dual write, [Repair] and [Backfill] copy an entity the same way: they
// read its current state from PostgreSQL and write each of its items to
// DynamoDB only if the table has no item with a later updated_at. So an old
// row read by the backfill never overwrites a newer item of the dual write,
// and replaying any of them is harmless. [Backfill] reads PostgreSQL in
// ranges of ids with bounded concurrency, to spare the primary, and resumes
// from a checkpoint.
package catalog
