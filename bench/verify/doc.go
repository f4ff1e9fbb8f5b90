// Package verify measures the throughput of store verification
// (github.com/shadowread/shadowread/verify) on the example catalog against
// PostgreSQL and dynalite: entities per second with one worker and with
// four, on a copy that is clean (counting only) and on one where every
// range differs (counting, then every entity compared), beside what each
// part costs alone: the DynamoDB scan, the PostgreSQL range reads, the
// library's hashing and bookkeeping, and the comparator.
//
// It needs the servers: `make verify` in bench/ starts them.
package verify
