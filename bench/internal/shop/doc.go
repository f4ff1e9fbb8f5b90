// Package shop is the load harness's service: three read routes of a small
// shop, each served by one handler from PostgreSQL or DynamoDB, whichever
// the request's context routes to ([backends.Router]).
//
//	GET /products/{id}                   a product with its variants
//	GET /orders/{id}                     an order with its lines
//	GET /customers/{id}/orders?limit=N   a customer's orders, newest first
//
// Both stores hold the same rows ([Seed] writes them to each directly), so
// the comparator's PostgreSQL→DynamoDB preset finds their answers equal:
// amounts are PostgreSQL's NUMERIC(12,2) text (8.70) on one side and
// DynamoDB's normalised Number (8.7) on the other, the same value.
//
// # DynamoDB items
//
// One table with a generic key (PK, SK); every read is one request:
//
//	PK              SK                          holds
//	product#<id>    product                     a product, its variants in a list
//	order#<id>      order                       an order, its lines in a list
//	customer#<id>   order#<created>#<order id>  the same order, in the customer's list
//
// The customer's copy sorts by creation time (fixed-width microseconds),
// then id, as PostgreSQL's ORDER BY created_at DESC, id DESC does.
package shop
