package testenv_test

import (
	"fmt"
	"net/url"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/shadowread/shadowread/internal/testenv"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fatalRecorder stands in for a test to catch what a helper fails or skips
// it with.
type fatalRecorder struct {
	testing.TB
	msg     string
	skipped bool
}

func (f *fatalRecorder) Helper() {}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (f *fatalRecorder) Skipf(format string, args ...any) {
	f.msg, f.skipped = fmt.Sprintf(format, args...), true
	runtime.Goexit()
}

// fatalMessage runs fn with a stand-in test on a goroutine of its own, as
// testing does, and returns the message fn failed the test with ("" if none).
func fatalMessage(t *testing.T, fn func(testing.TB)) string {
	t.Helper()
	msg, skipped := stopMessage(t, fn)
	if skipped {
		t.Errorf("the helper skipped the test with %q, want a failure", msg)
	}
	return msg
}

// stopMessage runs fn like fatalMessage and returns the message fn failed or
// skipped the test with, and whether it skipped.
func stopMessage(t *testing.T, fn func(testing.TB)) (msg string, skipped bool) {
	t.Helper()
	rec := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(rec)
	}()
	<-done
	return rec.msg, rec.skipped
}

// requirements are the environments a test may run in without its servers.
var requirements = []struct {
	name, require, ci string
	wantSkip          bool
	reason            string
}{
	{"go test", "", "", true, "a developer's `go test ./...` runs the unit tests and skips the rest"},
	{"CI=false", "", "false", true, "CI=false is no CI"},
	{"make test", "1", "", false, "with-servers.sh sets SHADOWREAD_REQUIRE_SERVERS: a missing server there is a bug"},
	{"CI", "", "true", false, "a CI run must not go green without its integration tests"},
}

func TestServerURLsFromEnvironment(t *testing.T) {
	tests := []struct {
		name   string
		env    string
		get    func(testing.TB) string
		reason string
	}{
		{"postgres", testenv.EnvPostgresURL, testenv.PostgresURL, "PostgreSQL tests connect here"},
		{"dynamodb", testenv.EnvDynamoDBEndpoint, testenv.DynamoDBEndpoint, "DynamoDB tests send requests here"},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/set", func(t *testing.T) {
			got := tt.get(t) // skips without servers, like every integration test
			u, err := url.Parse(got)
			if err != nil || u.Host == "" {
				t.Errorf("%s = %q, want a URL with a host (%s)", tt.env, got, tt.reason)
			}
		})
		for _, req := range requirements {
			t.Run(tt.name+"/unset/"+req.name, func(t *testing.T) {
				t.Setenv(tt.env, "")
				t.Setenv(testenv.EnvRequireServers, req.require)
				t.Setenv("CI", req.ci)
				msg, skipped := stopMessage(t, func(tb testing.TB) { tt.get(tb) })
				if skipped != req.wantSkip {
					t.Errorf("skipped = %v, want %v (%s); message %q", skipped, req.wantSkip, req.reason, msg)
				}
				for _, want := range []string{tt.env, "make test"} {
					if !strings.Contains(msg, want) {
						t.Errorf("message %q does not mention %q: a missing server names the fix", msg, want)
					}
				}
			})
		}
	}
}

var tableName = regexp.MustCompile(`^[a-zA-Z0-9_.-]{3,255}$`)

func TestUniqueName(t *testing.T) {
	tests := []struct {
		name   string
		prefix string
		reason string
	}{
		{"plain", "orders", "the common case"},
		{"spaces and slashes: ä/ö", "p", "test names may hold anything; the table name must not"},
		{strings.Repeat("long", 100), "products", "DynamoDB allows at most 255 characters"},
		{"empty prefix", "", "the prefix is optional"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := testenv.UniqueName(t, tt.prefix), testenv.UniqueName(t, tt.prefix)
			for _, n := range []string{a, b} {
				if !tableName.MatchString(n) {
					t.Errorf("UniqueName = %q, not a valid DynamoDB table name (%s)", n, tt.reason)
				}
				if !strings.HasPrefix(n, tt.prefix) {
					t.Errorf("UniqueName = %q, want prefix %q", n, tt.prefix)
				}
			}
			if a == b {
				t.Errorf("two calls both returned %q, want different names", a)
			}
		})
	}
}

func TestUniqueNameRejectsBadPrefixes(t *testing.T) {
	tests := []struct {
		name    string
		prefix  string
		wantMsg string
	}{
		{"character", "my table", "characters DynamoDB refuses"},
		{"length", strings.Repeat("p", 65), "longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := fatalMessage(t, func(tb testing.TB) { testenv.UniqueName(tb, tt.prefix) })
			if !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("UniqueName(%q) failed with %q, want a message containing %q", tt.prefix, msg, tt.wantMsg)
			}
		})
	}
}
