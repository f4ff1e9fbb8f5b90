package flags

import (
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/shadowread/shadowread/backends"
)

// These tests run in synctest bubbles: time is fake and only moves when
// every goroutine waits, so a wait of the evaluation timeout is exact.

var sampledDynamoDB = Decision{Primary: backends.DynamoDB, Sampled: true}

// TestSlowProviderDoesNotDelayRequests: a request waits for the provider at
// most the evaluation timeout, then gets the safe decision while the
// evaluation finishes in the background.
func TestSlowProviderDoesNotDelayRequests(t *testing.T) {
	const timeout = 20 * time.Millisecond
	tests := []struct {
		name    string
		slow    func(p *scriptedProvider)
		answers bool // the provider answers once its delay has passed
		reason  string
	}{
		{"provider taking 300 ms per flag", func(p *scriptedProvider) { p.delay = 300 * time.Millisecond }, true,
			"three flags in a row made a request wait 900 ms"},
		{"provider hanging", func(p *scriptedProvider) { p.hang = true }, false,
			"a provider that never answers made the request wait forever"},
	}
	for _, mode := range modes {
		for _, tt := range tests {
			t.Run(mode.name+"/"+tt.name, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					provider := newScriptedProvider(shadowValues(true, 100, "dynamodb"))
					provider.update(tt.slow)
					f, log, _ := newTestFlags(t, clientFor(t, provider), append(mode.opts, WithEvaluationTimeout(timeout))...)
					decide := func() Decision { return f.Decide(request("GET", ""), "/products/{id}") }

					start := time.Now()
					if got := decide(); got != Safe() {
						t.Errorf("Decide = %+v, want Safe() past the timeout (%s)", got, tt.reason)
					}
					if waited := time.Since(start); waited > timeout {
						t.Errorf("the first request waited %v, want at most the timeout %v (%s)", waited, timeout, tt.reason)
					}
					if reports := slowReports(log); reports != 1 {
						t.Errorf("%d reports of the slow provider, want 1", reports)
					}

					time.Sleep(2 * time.Second) // four flags at 300 ms each
					synctest.Wait()
					want := Safe()
					if tt.answers {
						want = sampledDynamoDB
					}
					if got := decide(); got != want {
						t.Errorf("once the provider answered or not: Decide = %+v, want %+v", got, want)
					}
				})
			})
		}
	}
}

// TestHangingProviderIsBounded: while the provider hangs, cached mode runs
// one evaluation per route and no request waits after the first; exact mode
// runs at most maxExactEvaluations at once and then answers at once.
func TestHangingProviderIsBounded(t *testing.T) {
	tests := []struct {
		name      string
		opts      []Option
		wantCalls int
		wantWait  time.Duration // total wait of the 100 requests
		reason    string
	}{
		{"cached", nil, 1, DefaultEvaluationTimeout,
			"one evaluation per route at a time, and the safe decision is kept once the first request gave up"},
		{"exact", []Option{WithExactEvaluation()}, maxExactEvaluations, maxExactEvaluations * DefaultEvaluationTimeout,
			"each request evaluates until the bound is reached; beyond it requests get the last decision at once"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				provider := newScriptedProvider(shadowValues(true, 100, "dynamodb"))
				provider.update(func(p *scriptedProvider) { p.hang = true })
				f, _, ft := newTestFlags(t, clientFor(t, provider), append(tt.opts, WithEvaluationTimeout(DefaultEvaluationTimeout))...)

				start := time.Now()
				for i := range 100 {
					if i == 50 {
						ft.tick() // a refresh while the evaluation hangs starts no second one
					}
					if got := f.Decide(request("GET", ""), "/products/{id}"); got != Safe() {
						t.Fatalf("Decide = %+v, want Safe() while the provider hangs", got)
					}
				}
				if waited := time.Since(start); waited != tt.wantWait {
					t.Errorf("100 requests waited %v in all, want %v (%s)", waited, tt.wantWait, tt.reason)
				}
				synctest.Wait()
				if n := provider.callsOf(KeyPrimary); n != tt.wantCalls {
					t.Errorf("%d evaluations running, want %d (%s)", n, tt.wantCalls, tt.reason)
				}
				// Close, in the cleanup, cancels the hanging evaluations and
				// waits for them: goleak and the bubble see none left.
			})
		})
	}
}

// TestHealthyProviderWithinDefaultTimeout: an in-process provider answers
// well inside the default timeout, so a fresh process shadows from its
// first request.
func TestHealthyProviderWithinDefaultTimeout(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				client, _ := memClient(t, shadowFlags(true, 100, "dynamodb"))
				f, _, _ := newTestFlags(t, client, append(mode.opts, WithEvaluationTimeout(DefaultEvaluationTimeout))...)
				start := time.Now()
				if got := f.Decide(request("GET", ""), "/products/{id}"); got != sampledDynamoDB {
					t.Errorf("first Decide = %+v, want %+v from the flags", got, sampledDynamoDB)
				}
				if waited := time.Since(start); waited != 0 {
					t.Errorf("the first request waited %v of fake time, want 0: memprovider does not block", waited)
				}
			})
		})
	}
}

// TestNewRouteWaitsOnlyForItsFirstEvaluation: concurrent first requests of
// a route share one evaluation, and the one that gives up stores the safe
// decision so the next requests do not wait.
func TestNewRouteWaitsOnlyForItsFirstEvaluation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		provider := newScriptedProvider(shadowValues(true, 100, "dynamodb"))
		provider.update(func(p *scriptedProvider) { p.delay = time.Second })
		f, _, _ := newTestFlags(t, clientFor(t, provider), WithEvaluationTimeout(DefaultEvaluationTimeout))
		decide := func() Decision { return f.Decide(request("GET", ""), "/products/{id}") }

		done := make(chan Decision)
		for range 10 {
			go func() { done <- decide() }()
		}
		for range 10 {
			if got := <-done; got != Safe() {
				t.Errorf("concurrent first request: Decide = %+v, want Safe()", got)
			}
		}
		start := time.Now()
		decide()
		if waited := time.Since(start); waited != 0 {
			t.Errorf("a request after the first timeout waited %v, want 0", waited)
		}
		synctest.Wait()
		if n := provider.callsOf(KeyPrimary); n != 1 {
			t.Errorf("primary read %d times by 11 requests, want 1", n)
		}
	})
}

// slowReports counts the reports that the provider did not answer in time.
func slowReports(log *errorLog) int {
	n := 0
	for _, err := range log.all() {
		if strings.Contains(err.Error(), "did not answer within") {
			n++
		}
	}
	return n
}
