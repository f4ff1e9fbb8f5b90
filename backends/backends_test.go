package backends_test

import (
	"context"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/internal/rerouted"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestTargetRouting(t *testing.T) {
	router := backends.NewRouter(map[backends.Name]string{
		backends.Postgres: "pg",
		backends.DynamoDB: "ddb",
	})
	tests := []struct {
		name       string
		ctx        context.Context
		wantTarget backends.Name
		wantStore  string
		wantShadow bool
		reason     string
	}{
		{"no target", context.Background(), backends.Postgres, "pg", false,
			"PostgreSQL is the source of truth, the default for untouched contexts"},
		{"primary dynamodb", backends.WithTarget(context.Background(), backends.DynamoDB), backends.DynamoDB, "ddb", false,
			"after the switch the primary is DynamoDB"},
		{"shadow postgres", backends.WithShadowTarget(context.Background(), backends.Postgres), backends.Postgres, "pg", true,
			"reverse shadowing reads PostgreSQL in the background"},
		{"shadow dynamodb", backends.WithShadowTarget(context.Background(), backends.DynamoDB), backends.DynamoDB, "ddb", true,
			"dark reads go to DynamoDB"},
		{"innermost wins", backends.WithTarget(backends.WithShadowTarget(context.Background(), backends.DynamoDB), backends.Postgres), backends.Postgres, "pg", false,
			"a nested WithTarget overrides an outer one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := backends.Target(tt.ctx); got != tt.wantTarget {
				t.Errorf("Target = %q, want %q (%s)", got, tt.wantTarget, tt.reason)
			}
			if got := router.For(tt.ctx); got != tt.wantStore {
				t.Errorf("For = %q, want %q (%s)", got, tt.wantStore, tt.reason)
			}
			if got := backends.IsShadow(tt.ctx); got != tt.wantShadow {
				t.Errorf("IsShadow = %v, want %v (%s)", got, tt.wantShadow, tt.reason)
			}
		})
	}
}

func TestNewRouterRejectsIncompleteMaps(t *testing.T) {
	tests := []struct {
		name    string
		stores  map[backends.Name]int
		wantMsg string
	}{
		{"missing dynamodb", map[backends.Name]int{backends.Postgres: 1}, `needs a store for "dynamodb"`},
		{"missing postgres", map[backends.Name]int{backends.DynamoDB: 1}, `needs a store for "postgres"`},
		{"unknown name", map[backends.Name]int{backends.Postgres: 1, backends.DynamoDB: 2, "mysql": 3}, `unknown backend "mysql"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				msg, _ := recover().(string)
				if !strings.HasPrefix(msg, "backends: ") || !strings.Contains(msg, tt.wantMsg) {
					t.Errorf("panic = %q, want a backends: panic containing %q", msg, tt.wantMsg)
				}
			}()
			backends.NewRouter(tt.stores)
		})
	}
}

func TestParseName(t *testing.T) {
	for _, s := range []string{"postgres", "dynamodb"} {
		n, err := backends.ParseName(s)
		if err != nil || string(n) != s {
			t.Errorf("ParseName(%q) = %q, %v", s, n, err)
		}
	}
	for _, s := range []string{"", "Postgres", "mysql"} {
		if _, err := backends.ParseName(s); err == nil {
			t.Errorf("ParseName(%q) succeeded, want an error", s)
		}
	}
	if backends.Postgres.Other() != backends.DynamoDB || backends.DynamoDB.Other() != backends.Postgres {
		t.Error("Other does not swap the two backends")
	}
}

// TestWithTargetNotesRerouting: a context routed to a primary other than
// PostgreSQL is noted before it is returned, so the middleware no longer
// takes a request's target for PostgreSQL without looking (see
// internal/rerouted). The test process may have noted one already: only
// the note after the call is checked.
func TestWithTargetNotesRerouting(t *testing.T) {
	ctx := backends.WithTarget(context.Background(), backends.DynamoDB)
	if !rerouted.Ever() {
		t.Fatal("WithTarget(DynamoDB) returned before noting that a context is routed to another primary")
	}
	if backends.Target(ctx) != backends.DynamoDB {
		t.Error("the context is not routed to DynamoDB")
	}
}

// TestWithTargetAllocations: the middleware sets a target on every request
// once DynamoDB is primary, so a known backend's target costs only the
// context node.
func TestWithTargetAllocations(t *testing.T) {
	ctx := context.Background()
	for _, n := range backends.Names() {
		if got := testing.AllocsPerRun(100, func() { backends.WithTarget(ctx, n) }); got > 1 {
			t.Errorf("WithTarget(%s) allocates %v times, want 1 (the context node)", n, got)
		}
		if got := testing.AllocsPerRun(100, func() { backends.WithShadowTarget(ctx, n) }); got > 1 {
			t.Errorf("WithShadowTarget(%s) allocates %v times, want 1", n, got)
		}
	}
	odd := backends.WithTarget(ctx, "mysql")
	if backends.Target(odd) != "mysql" || backends.IsShadow(odd) {
		t.Error("an unknown name is no longer carried as it was given")
	}
}

func TestRouting(t *testing.T) {
	tests := []struct {
		name     string
		ctx      context.Context
		wantName backends.Name
		wantRole backends.Role
		reason   string
	}{
		{"no target", context.Background(), backends.Postgres, backends.RolePrimary, "an untouched context is served by PostgreSQL as primary"},
		{"primary", backends.WithTarget(context.Background(), backends.DynamoDB), backends.DynamoDB, backends.RolePrimary, "WithTarget names the primary"},
		{"shadow", backends.WithShadowTarget(context.Background(), backends.DynamoDB), backends.DynamoDB, backends.RoleShadow, "WithShadowTarget names the shadow"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, role := backends.Routing(tt.ctx)
			if n != tt.wantName || role != tt.wantRole {
				t.Errorf("Routing = %q, %q, want %q, %q (%s)", n, role, tt.wantName, tt.wantRole, tt.reason)
			}
		})
	}
}
