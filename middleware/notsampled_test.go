package middleware_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/internal/rerouted"
	"github.com/shadowread/shadowread/middleware"
	"github.com/shadowread/shadowread/telemetry"
)

// freshProcess is set in the process TestNotSampledBeforeAnyReroute starts.
const freshProcess = "SHADOWREAD_TEST_FRESH_PROCESS"

// TestNotSampledBeforeAnyReroute: until a context of the process is routed
// to a primary other than PostgreSQL, a request the flags leave to
// PostgreSQL is served without its target being looked up; it must still
// reach the handler as it came, a shadow execution of an outer Shadower
// included, and a target set upstream must still be honoured. Other tests
// of the package route to DynamoDB, so it runs in a process of its own.
func TestNotSampledBeforeAnyReroute(t *testing.T) {
	if os.Getenv(freshProcess) == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestNotSampledBeforeAnyReroute$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), freshProcess+"=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestNotSampledBeforeAnyReroute") {
			t.Fatalf("in a process of its own: %v\n%s", err, out)
		}
		return
	}
	if rerouted.Ever() {
		t.Fatal("a context was routed to another primary before the test began")
	}
	type served struct {
		r      *http.Request
		target backends.Name
		role   backends.Role
	}
	got := make(chan served, 1)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		target, role := backends.Routing(r.Context())
		got <- served{r, target, role}
	})
	rec := newSpy()
	h := newShadower(t, rec, middleware.WithFlags(always(backends.Postgres, false))).Handler(handler)
	serve := func(r *http.Request) served {
		h.ServeHTTP(httptest.NewRecorder(), r)
		return <-got
	}

	r := httptest.NewRequest(http.MethodGet, "/products/p1", nil)
	if s := serve(r); s.r != r || s.target != backends.Postgres || s.role != backends.RolePrimary {
		t.Errorf("plain request served as %+v, want it as it came, on PostgreSQL as primary", s)
	}
	r = r.WithContext(backends.WithShadowTarget(r.Context(), backends.DynamoDB))
	if s := serve(r); s.r != r || s.target != backends.DynamoDB || s.role != backends.RoleShadow {
		t.Errorf("an outer shadow execution served as %+v, want it as it came, on DynamoDB as shadow", s)
	}
	if rerouted.Ever() {
		t.Fatal("no context is routed to another primary yet: the requests above did not take the path under test")
	}
	r = r.WithContext(backends.WithTarget(r.Context(), backends.DynamoDB))
	if s := serve(r); s.target != backends.Postgres || s.role != backends.RolePrimary {
		t.Errorf("a request routed to DynamoDB upstream served on %s as %s, want PostgreSQL, the flags' primary", s.target, s.role)
	}
	rec.none(t)

	sampled := newShadower(t, rec, middleware.WithShadowHandler(http.HandlerFunc(sameAnswer))).Handler(http.HandlerFunc(sameAnswer))
	sampled.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/products/p1", nil))
	if ev := rec.next(t); ev.Outcome != telemetry.Match {
		t.Errorf("a sampled request's outcome %s/%s, want match", ev.Outcome, ev.Reason)
	}
}
