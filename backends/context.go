package backends

import (
	"context"
	"sync/atomic"

	"github.com/shadowread/shadowread/internal/rerouted"
)

// Role is the part a backend plays in one request.
type Role string

const (
	// RolePrimary serves the response the user receives.
	RolePrimary Role = "primary"
	// RoleShadow runs in the background; its response is only compared.
	RoleShadow Role = "shadow"
)

// targetKey is the context key for the target; its value is a *target.
type targetKey struct{}

type target struct {
	name Name
	role Role
	// use, when set, notes that a handler asked which store to use.
	use *StoreUse
}

// knownTargets are the targets of the known backends, made once: storing a
// pointer to one in a context costs no allocation, which matters because
// the middleware sets a target on every request once DynamoDB is primary.
// They are never modified.
var knownTargets = [...]target{
	{name: Postgres, role: RolePrimary}, {name: Postgres, role: RoleShadow},
	{name: DynamoDB, role: RolePrimary}, {name: DynamoDB, role: RoleShadow},
}

// targetOf returns the target of backend n in role r. Comparisons with the
// constants compile to a load and a compare each, where a loop over
// knownTargets compared strings of equal length byte by byte.
func targetOf(n Name, r Role) *target {
	i := 0
	switch n {
	case Postgres:
	case DynamoDB:
		i = 2
	default:
		return &target{name: n, role: r}
	}
	switch r {
	case RolePrimary:
	case RoleShadow:
		i++
	default:
		return &target{name: n, role: r}
	}
	return &knownTargets[i]
}

// WithTarget returns a copy of ctx that routes to backend n as the primary.
func WithTarget(ctx context.Context, n Name) context.Context {
	if n != Postgres {
		rerouted.Note()
	}
	return context.WithValue(ctx, targetKey{}, targetOf(n, RolePrimary))
}

// WithShadowTarget returns a copy of ctx that routes to backend n as the shadow.
func WithShadowTarget(ctx context.Context, n Name) context.Context {
	return context.WithValue(ctx, targetKey{}, targetOf(n, RoleShadow))
}

// Target returns the backend ctx routes to, PostgreSQL when it names none.
func Target(ctx context.Context) Name {
	n, _ := Routing(ctx)
	return n
}

// Routing returns the backend ctx routes to and its role there, in one look
// at ctx: PostgreSQL as primary when ctx names no target.
func Routing(ctx context.Context) (Name, Role) {
	t := targetIn(ctx)
	if t.use != nil {
		t.use.asked.Store(true)
	}
	return t.name, t.role
}

// targetIn returns the target ctx names, PostgreSQL as primary when none.
func targetIn(ctx context.Context) *target {
	if t, ok := ctx.Value(targetKey{}).(*target); ok {
		return t
	}
	return &knownTargets[0]
}

// IsShadow reports whether ctx belongs to a shadow execution. Handlers use it
// to skip side effects that must happen once per user request; it does not
// count as asking for a store ([StoreUse]).
func IsShadow(ctx context.Context) bool {
	return targetIn(ctx).role == RoleShadow
}

// StoreUse notes whether a handler asked its context which store to use:
// the middleware warns about a shadowed route whose handler never does,
// since comparing a response that reads no store says nothing about the
// migration. The zero value is ready to use.
type StoreUse struct {
	asked atomic.Bool
}

// Asked reports whether code running under a context of [WithStoreUse]
// called [Target], [Routing] or [Router.For].
func (u *StoreUse) Asked() bool {
	return u.asked.Load()
}

// WithStoreUse returns a copy of ctx, routed as ctx is, that notes in u
// every time a handler asks it which store to use.
func WithStoreUse(ctx context.Context, u *StoreUse) context.Context {
	t := targetIn(ctx)
	return context.WithValue(ctx, targetKey{}, &target{name: t.name, role: t.role, use: u})
}
