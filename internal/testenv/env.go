package testenv

import (
	"os"
	"testing"
)

// The environment variables scripts/with-servers.sh sets.
const (
	// EnvPostgresURL is a PostgreSQL URL whose user may create databases.
	EnvPostgresURL = "SHADOWREAD_PG_URL"
	// EnvDynamoDBEndpoint is the http:// endpoint of a DynamoDB-API server.
	EnvDynamoDBEndpoint = "SHADOWREAD_DYNAMODB_ENDPOINT"
	// EnvPostgresBin is the directory of initdb and postgres, for StartPostgres.
	EnvPostgresBin = "SHADOWREAD_PG_BIN"
	// EnvDynaliteCLI is the path of scripts/dynalite.js, dynalite's launcher, for StartDynalite.
	EnvDynaliteCLI = "SHADOWREAD_DYNALITE_CLI"
)

// PostgresURL returns the URL of the shared PostgreSQL server. Without one
// the test is skipped, or fails when servers are required ([ServersRequired]).
func PostgresURL(t testing.TB) string {
	t.Helper()
	return mustGetenv(t, EnvPostgresURL)
}

// DynamoDBEndpoint returns the endpoint of the shared DynamoDB-API server.
// Without one the test is skipped, or fails when servers are required
// ([ServersRequired]).
func DynamoDBEndpoint(t testing.TB) string {
	t.Helper()
	return mustGetenv(t, EnvDynamoDBEndpoint)
}

func mustGetenv(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		missing(t, "%s is not set: run the tests with `make test`, or set %s", name, name)
	}
	return v
}
