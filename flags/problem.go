package flags

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/open-feature/go-sdk/openfeature"

	"github.com/shadowread/shadowread/backends"
)

// ErrNoProvider marks a client served by OpenFeature's no-op provider, which
// answers every flag with its default: nothing is ever shadowed. It is what
// a client gets when no provider is registered for its domain, nor a default
// one.
var ErrNoProvider = errors.New("the OpenFeature client is served by the no-op provider")

// noopProviderName is the name [openfeature.NoopProvider] gives itself.
const noopProviderName = "NoopProvider"

// problems holds what keeps a Flags from shadowing, for [Flags.Problem].
// Each slot is reported once when it is set or changes, not per refresh.
type problems struct {
	provider atomic.Pointer[problem]
	primary  atomic.Pointer[problem]
	// probed is the refresh generation in which the provider was last
	// identified; the probe hook runs once per generation.
	probed atomic.Uint64
}

// problem is one reported problem; key tells two problems apart without the
// route that met it, so one bad value on many routes is reported once.
type problem struct {
	err   error
	key   string
	route routeKey
}

// Problem returns what keeps f from shadowing requests, or nil when nothing
// does, for a status page or a report banner: the client is served by the
// no-op provider ([ErrNoProvider]), or a route's primary flag names no
// backend (a [*FlagError] wrapping [ErrInvalidValue]; that route keeps its
// last good decision, before the first one the fallback primary and no
// shadow). Each problem is also handed to the error handler (otel.Handle)
// once, naming the fix, when it first appears. Problem reflects the flags
// as last read: a provider registered later clears it at the next refresh.
func (f *Flags) Problem() error {
	var errs []error
	for _, p := range []*problem{f.problems.provider.Load(), f.problems.primary.Load()} {
		if p != nil {
			errs = append(errs, p.err)
		}
	}
	return errors.Join(errs...)
}

// setProblem stores p in slot and reports it unless the same problem was
// stored already.
func (f *Flags) setProblem(slot *atomic.Pointer[problem], p *problem) {
	if old := slot.Swap(p); old == nil || old.key != p.key {
		f.cfg.handleError(p.err)
	}
}

// probeOptions returns the evaluation option that identifies the provider
// answering the client, once per refresh generation, and none otherwise.
func (f *Flags) probeOptions(generation uint64) []openfeature.Option {
	if f.problems.probed.Load() == generation {
		return nil
	}
	return []openfeature.Option{openfeature.WithHooks(providerProbe{f: f, generation: generation})}
}

// providerProbe is an OpenFeature hook that sees which provider answers.
type providerProbe struct {
	openfeature.UnimplementedHook
	f          *Flags
	generation uint64
}

func (p providerProbe) Before(_ context.Context, hc openfeature.HookContext, _ openfeature.HookHints) (*openfeature.EvaluationContext, error) {
	p.f.problems.probed.Store(p.generation)
	if hc.ProviderMetadata().Name != noopProviderName {
		p.f.problems.provider.Store(nil)
		return nil, nil
	}
	domain := hc.ClientMetadata().Domain()
	register := "openfeature.SetProviderAndWait(ctx, provider)"
	if domain != "" {
		register = fmt.Sprintf("openfeature.SetProviderAndWait(ctx, provider, openfeature.WithDomain(%q))", domain)
	}
	err := fmt.Errorf("flags: %w (no provider is registered for domain %q, nor a default one): no request is shadowed and %s stays primary; register the provider before serving, with %s",
		ErrNoProvider, domain, p.f.cfg.fallback, register)
	p.f.setProblem(&p.f.problems.provider, &problem{err: err, key: err.Error()})
	return nil, nil
}

// parsePrimary reads the primary flag's value: a backend's name in any case
// ("postgres", "DynamoDB"), or PostgreSQL's full name in any case
// ("PostgreSQL"), which people write as often as the short one.
func parsePrimary(s string) (backends.Name, error) {
	lower := strings.ToLower(s)
	if lower == "postgresql" {
		return backends.Postgres, nil
	}
	if n, err := backends.ParseName(lower); err == nil {
		return n, nil
	}
	return backends.ParseName(s) // its error names the value as the flag holds it
}

// badPrimary records that the primary flag of key, value, names no backend:
// parseErr says so.
func (f *Flags) badPrimary(key routeKey, value string, parseErr error, kept backends.Name) {
	err := &FlagError{Key: f.cfg.keys.primary, Route: key.route, Method: key.method, Err: fmt.Errorf(
		"%w: %w; keeping the last decision (primary %s); set the flag to %q or %q (any case)",
		ErrInvalidValue, parseErr, kept, backends.Postgres, backends.DynamoDB)}
	f.setProblem(&f.problems.primary, &problem{err: err, key: fmt.Sprintf("%q", value), route: key})
}

// goodPrimary clears the primary problem if it was met on the route of key.
func (f *Flags) goodPrimary(key routeKey) {
	if p := f.problems.primary.Load(); p != nil && p.route == key {
		f.problems.primary.CompareAndSwap(p, nil)
	}
}
