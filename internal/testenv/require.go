package testenv

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// EnvRequireServers makes a test that finds no server fail instead of skip.
// scripts/with-servers.sh, which `make test` runs, sets it to 1; CI=true
// has the same effect, so neither a `make test` run nor a CI run can go green
// without its integration tests, while a plain `go test ./...` on a laptop
// runs every unit test and skips the rest.
const EnvRequireServers = "SHADOWREAD_REQUIRE_SERVERS"

// ServersRequired reports whether a missing server fails the test: under
// `make test` ([EnvRequireServers] set to anything but "", "0" or "false")
// and in CI (CI likewise).
func ServersRequired() bool {
	return truthy(os.Getenv(EnvRequireServers)) || truthy(os.Getenv("CI"))
}

func truthy(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "0", "false", "no":
		return false
	}
	return true
}

// missing stops a test whose server or tool is not there: it fails when
// servers are required and skips otherwise, naming the fix either way.
func missing(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if ServersRequired() {
		t.Fatalf("testenv: %s", msg)
	}
	t.Skipf("testenv: %s; integration test skipped (`make test` starts the servers and runs it; there, and with CI=true, a missing server fails)", msg)
}
