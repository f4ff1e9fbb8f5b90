// Package catalog is the read path of the example service: a product
// catalog with customers' orders, served from PostgreSQL and from DynamoDB
// during a migration from the one to the other. It holds the model, the
// two stores and the read handlers; the migration tools built on them have
// packages of their own: dualwrite (the write endpoints, the write mode and
// the repair logs), backfill, repair and verification.
//
//	pg := catalog.NewPostgresStore(pool)                      // pool: postgres.Open
//	ddb := catalog.NewDynamoDBStore(client.Client, "catalog") // client: dynamodb.New
//	stores := catalog.NewStores(pg, ddb)
//	shadow := middleware.New(...)
//	router := catalog.NewRouter(stores, shadow.Handler, // nil instead: no shadowing
//		catalog.WithWriteRoutes(dualwrite.New(pg, ddb).Mount))
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
// own Decimal text, 12.50 from PostgreSQL's NUMERIC(12,2) and 12.5 from
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
// pair is skipped as behind, not counted as a mismatch. With
// [WithReadGuard], a read refuses a store that may be stale (the write
// mode's guard refuses a store the mode does not write).
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
// # Copying between the stores
//
// The dual write, the repairs and the backfill copy an entity the same
// way ([Copier]): they read its current state from the source of truth and
// write it to the other store only if that store has no later updated_at
// ([DynamoDBStore.PutIfNewer]). So an old row read by the backfill never
// overwrites a newer item of the dual write, and replaying any of them is
// harmless.
package catalog
