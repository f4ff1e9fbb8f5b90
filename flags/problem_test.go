package flags

import (
	"errors"
	"strings"
	"testing"

	"github.com/open-feature/go-sdk/openfeature"
	"github.com/open-feature/go-sdk/openfeature/memprovider"

	"github.com/shadowread/shadowread/backends"
)

// TestProblem: a Flags that can never shadow says so once, naming the fix,
// and Problem tells a report page what is wrong; a primary spelt in another
// case is accepted.
func TestProblem(t *testing.T) {
	noProvider := func(t *testing.T) *openfeature.Client {
		return newAPI(t).NewClient(openfeature.WithDomain("catalog"))
	}
	noop := func(t *testing.T) *openfeature.Client {
		return clientFor(t, openfeature.NoopProvider{})
	}
	mem := func(primary string) func(t *testing.T) *openfeature.Client {
		return func(t *testing.T) *openfeature.Client {
			client, _ := memClient(t, shadowFlags(true, 100, primary))
			return client
		}
	}
	tests := []struct {
		name        string
		client      func(t *testing.T) *openfeature.Client
		wantPrimary backends.Name
		wantIs      error    // what Problem wraps; nil: no problem
		wantFix     []string // the report and Problem name these
		reason      string
	}{
		{"memprovider", mem("dynamodb"), backends.DynamoDB, nil, nil,
			"a provider with valid flags: nothing to say"},
		{"no provider for the domain", noProvider, backends.Postgres, ErrNoProvider,
			[]string{`"catalog"`, `openfeature.WithDomain("catalog")`, "SetProviderAndWait"},
			"openfeature.NewClient(\"catalog\") before any SetProvider gets the no-op provider"},
		{"no-op provider", noop, backends.Postgres, ErrNoProvider, []string{"SetProviderAndWait"},
			"the no-op provider registered on purpose answers every flag with its default too"},
		{"primary PostgreSQL", mem("PostgreSQL"), backends.Postgres, nil, nil,
			"the product's own spelling names PostgreSQL"},
		{"primary DynamoDB", mem("DynamoDB"), backends.DynamoDB, nil, nil,
			"case does not matter"},
		{"primary POSTGRES", mem("POSTGRES"), backends.Postgres, nil, nil,
			"case does not matter"},
		{"primary dynamo", mem("dynamo"), backends.Postgres, ErrInvalidValue, []string{`"dynamo"`, `"postgres"`, `"dynamodb"`},
			"a name that is no backend: no shadow before a good decision, and the fix is the flag's value"},
		{"primary empty", mem(""), backends.Postgres, ErrInvalidValue, []string{`""`, `"postgres"`},
			"an empty value is a flag set up without its variant"},
	}
	for _, mode := range modes {
		for _, tt := range tests {
			t.Run(mode.name+"/"+tt.name, func(t *testing.T) {
				f, log, ft := newTestFlags(t, tt.client(t), mode.opts...)
				decide := func() Decision { return f.Decide(request("GET", ""), "/products/{id}") }
				// Across refreshes and routes, the problem is reported once.
				for range 3 {
					if got := decide(); got.Primary != tt.wantPrimary {
						t.Fatalf("Decide = %+v, want primary %s (%s)", got, tt.wantPrimary, tt.reason)
					}
					f.Decide(request("GET", ""), "/orders/{id}")
					ft.tick()
				}
				eventually(t, "refreshes finished", func() bool {
					decide()
					return f.routes.Load().find("/products/{id}", "GET").current.Load().generation == f.generation.Load()
				})

				err := f.Problem()
				if tt.wantIs == nil {
					if err != nil || log.count() != 0 {
						t.Errorf("Problem() = %v, reports %v; want none (%s)", err, log.all(), tt.reason)
					}
					return
				}
				if !errors.Is(err, tt.wantIs) {
					t.Fatalf("Problem() = %v, want an error wrapping %v (%s)", err, tt.wantIs, tt.reason)
				}
				if log.count() != 1 || !errors.Is(log.all()[0], tt.wantIs) {
					t.Errorf("reports %v, want exactly one, wrapping %v (%s)", log.all(), tt.wantIs, tt.reason)
				}
				for _, want := range tt.wantFix {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("Problem() = %q, does not name %s (%s)", err, want, tt.reason)
					}
				}
			})
		}
	}
}

// TestProblemClears: a provider registered after New clears the problem at
// the refresh its ready event starts, and a fixed primary value clears it
// at the next refresh.
func TestProblemClears(t *testing.T) {
	t.Run("provider registered later", func(t *testing.T) {
		api := newAPI(t)
		domain := openfeature.WithDomain("late")
		f, log, _ := newTestFlags(t, api.NewClient(domain))
		f.Decide(request("GET", ""), "/products/{id}")
		if err := f.Problem(); !errors.Is(err, ErrNoProvider) {
			t.Fatalf("before the provider: Problem() = %v, want ErrNoProvider", err)
		}
		provider := memprovider.NewInMemoryProvider(shadowFlags(true, 100, "dynamodb"))
		if err := api.SetProviderAndWait(t.Context(), provider, domain); err != nil {
			t.Fatal(err)
		}
		eventually(t, "the problem clears", func() bool {
			f.Decide(request("GET", ""), "/products/{id}")
			return f.Problem() == nil
		})
		if log.count() != 1 {
			t.Errorf("reports %v, want the one about the missing provider", log.all())
		}
	})
	t.Run("primary fixed", func(t *testing.T) {
		provider := newScriptedProvider(shadowValues(true, 100, "dynamo"))
		f, _, ft := newTestFlags(t, clientFor(t, provider))
		f.Decide(request("GET", ""), "/products/{id}")
		if err := f.Problem(); !errors.Is(err, ErrInvalidValue) {
			t.Fatalf("with primary \"dynamo\": Problem() = %v, want ErrInvalidValue", err)
		}
		provider.update(func(p *scriptedProvider) { p.values[KeyPrimary] = "dynamodb" })
		ft.tick()
		eventually(t, "the problem clears", func() bool {
			f.Decide(request("GET", ""), "/products/{id}")
			return f.Problem() == nil
		})
	})
}
