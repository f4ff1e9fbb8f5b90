package backends

import "context"

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
}

// knownTargets are the targets of the known backends, made once: storing a
// pointer to one in a context costs no allocation, which matters because
// the middleware sets a target on every request once DynamoDB is primary.
// They are never modified.
var knownTargets = [...]target{
	{Postgres, RolePrimary}, {Postgres, RoleShadow},
	{DynamoDB, RolePrimary}, {DynamoDB, RoleShadow},
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
	if t, ok := ctx.Value(targetKey{}).(*target); ok {
		return t.name, t.role
	}
	return Postgres, RolePrimary
}

// IsShadow reports whether ctx belongs to a shadow execution. Handlers use it
// to skip side effects that must happen once per user request.
func IsShadow(ctx context.Context) bool {
	_, role := Routing(ctx)
	return role == RoleShadow
}
