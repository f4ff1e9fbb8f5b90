package flags

import (
	"testing"
	"testing/synctest"

	"github.com/open-feature/go-sdk/openfeature"

	"github.com/shadowread/shadowread/backends"
)

// TestLastGoodDecision: once a route's flags have been read, a provider that
// fails keeps the route's last good decision, so an outage after the cutover
// does not move reads back to PostgreSQL.
func TestLastGoodDecision(t *testing.T) {
	tests := []struct {
		name   string
		outage func(p *scriptedProvider)
		reason string
	}{
		{"provider errors", func(p *scriptedProvider) { p.fail = true },
			"every evaluation fails with a general error"},
		{"primary flag missing", func(p *scriptedProvider) { delete(p.values, KeyPrimary) },
			"a flag deleted by mistake is FLAG_NOT_FOUND"},
		{"all flags missing", func(p *scriptedProvider) { clear(p.values) },
			"a provider that lost its configuration"},
		{"primary unknown", func(p *scriptedProvider) { p.values[KeyPrimary] = "dynamo" },
			"a typo in the primary says nothing about the intended store"},
		{"primary wrong type", func(p *scriptedProvider) { p.values[KeyPrimary] = true },
			"a primary that cannot be read as a string"},
		{"sampling flags missing", func(p *scriptedProvider) {
			delete(p.values, KeyEnabled)
			delete(p.values, KeySamplePercent)
		}, "the percentage in force stays while its flags cannot be read"},
	}
	for _, mode := range modes {
		for _, tt := range tests {
			t.Run(mode.name+"/"+tt.name, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					provider := newScriptedProvider(shadowValues(true, 100, "dynamodb"))
					f, log, ft := newTestFlags(t, clientFor(t, provider), mode.opts...)
					decide := func() Decision { return f.Decide(request("GET", ""), "/products/{id}") }
					if got := decide(); got != sampledDynamoDB {
						t.Fatalf("before the outage Decide = %+v, want %+v", got, sampledDynamoDB)
					}

					provider.update(tt.outage)
					ft.tick()
					decide() // starts the refresh in cached mode
					synctest.Wait()
					if got := decide(); got != sampledDynamoDB {
						t.Errorf("during the outage Decide = %+v, want the last good %+v (%s)", got, sampledDynamoDB, tt.reason)
					}
					if log.count() == 0 {
						t.Errorf("the outage was not reported (%s)", tt.reason)
					}
				})
			})
		}
	}
}

// TestLastGoodIsPerRoute: each route keeps its own last good decision.
func TestLastGoodIsPerRoute(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				onlyOrders := func(flat openfeature.FlattenedContext) any {
					if flat[AttrRoute] == "/orders/{id}" {
						return "dynamodb"
					}
					return "postgres"
				}
				flags := shadowFlags(false, 0, "postgres")
				flags[KeyPrimary] = dynamic(onlyOrders)
				client, provider := memClient(t, flags)
				f, _, ft := newTestFlags(t, client, mode.opts...)
				decide := func(route string) Decision { return f.Decide(request("GET", ""), route) }
				want := map[string]Decision{"/orders/{id}": SafeFor(backends.DynamoDB), "/products/{id}": Safe()}
				for route := range want {
					decide(route)
				}

				provider.UpdateFlags(nil) // every flag is missing now
				ft.tick()
				for route := range want {
					decide(route)
				}
				synctest.Wait()
				for route, want := range want {
					if got := decide(route); got != want {
						t.Errorf("%s during the outage: Decide = %+v, want its own last good %+v", route, got, want)
					}
				}
			})
		})
	}
}

// TestFallbackBeforeFirstGood: before a route's flags have been read once,
// a failing provider gives the safe decision: no shadow and the fallback
// primary.
func TestFallbackBeforeFirstGood(t *testing.T) {
	tests := []struct {
		name   string
		opts   []Option
		want   Decision
		reason string
	}{
		{"default fallback", nil, Safe(),
			"PostgreSQL while it is the source of truth"},
		{"fallback PostgreSQL", []Option{WithFallbackPrimary(backends.Postgres)}, Safe(),
			"the default made explicit"},
		{"fallback DynamoDB", []Option{WithFallbackPrimary(backends.DynamoDB)}, SafeFor(backends.DynamoDB),
			"after the cutover PostgreSQL is no longer written, so it must not serve reads"},
	}
	outages := []struct {
		name   string
		values map[string]any
		fail   bool
	}{
		{"provider errors", shadowValues(true, 100, "postgres"), true},
		{"flags missing", nil, false},
	}
	for _, mode := range modes {
		for _, tt := range tests {
			for _, outage := range outages {
				t.Run(mode.name+"/"+tt.name+"/"+outage.name, func(t *testing.T) {
					synctest.Test(t, func(t *testing.T) {
						provider := newScriptedProvider(outage.values)
						provider.update(func(p *scriptedProvider) { p.fail = outage.fail })
						f, _, _ := newTestFlags(t, clientFor(t, provider), append(mode.opts, tt.opts...)...)
						if got := f.Decide(request("GET", ""), "/products/{id}"); got != tt.want {
							t.Errorf("Decide = %+v, want %+v (%s)", got, tt.want, tt.reason)
						}
						if got := f.Safe(); got != tt.want {
							t.Errorf("Flags.Safe() = %+v, want %+v", got, tt.want)
						}
						f.Close()
						if got := f.Decide(request("GET", ""), "/products/{id}"); got != tt.want {
							t.Errorf("after Close Decide = %+v, want %+v (%s)", got, tt.want, tt.reason)
						}
					})
				})
			}
		}
	}
}
