// Package verification is the example's use of the library's verify
// package: a full comparison of the two stores.
//
// [NewVerifier] gives the library's verify package the catalog's
// customers, products and orders: each listed by key range from PostgreSQL
// and read from DynamoDB through the endpoints' read path, and the table
// scanned in parallel segments, so a run checks bodies, keys, index keys
// and stray items, shared by any number of processes. [RepairFindings]
// repairs what a run found.
package verification
