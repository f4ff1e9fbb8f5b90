// Package testenv gives tests the real servers they run against: the shared
// PostgreSQL and DynamoDB-API (dynalite) servers that `make test` starts, and
// private server processes and a slow network for fault tests.
//
// # Shared servers
//
// scripts/with-servers.sh, which `make test` runs, starts a throwaway
// PostgreSQL cluster and a dynalite server and names them in the environment
// ([EnvPostgresURL], [EnvDynamoDBEndpoint]). [PostgresURL] and
// [DynamoDBEndpoint] read those variables. A test that needs a server and
// does not find one is skipped with a hint, so `go test ./...` on a laptop
// runs every unit test; under `make test` (which sets [EnvRequireServers])
// and in CI (CI=true) it fails instead, so neither can go green without its
// integration tests. [StartPostgres] and [StartDynalite] treat missing
// binaries the same way.
//
// Tests that run in parallel isolate their data: [NewDatabase] creates a
// PostgreSQL database of their own, [UniqueName] names a DynamoDB table that
// no other test uses.
//
// # Private servers for fault tests
//
// [StartDynalite] and [StartPostgres] run a server process of the test's own
// on a free loopback port. Stop and Start kill and restart it on the same
// port with the same data, so a test can take a store away in the middle of
// a load and bring it back. [NewDelayProxy] puts a TCP proxy with an
// adjustable delay in front of any server, for a store that is slower than
// the other.
//
// The processes are children of the test binary: on Linux they are killed
// when it dies, and t.Cleanup stops them after a test.
package testenv
