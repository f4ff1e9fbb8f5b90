package middleware

import (
	"context"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/shadowread/shadowread/backends"
)

// rerunRequest returns a fresh copy of template, a shadow's request, under
// ctx and routed to target in role, for a second run of either side (a
// re-check or a noise baseline). Each run gets its own chi routing context
// and body, so nothing one run does to its request reaches the next.
func rerunRequest(ctx context.Context, template *http.Request, target backends.Name, role backends.Role) *http.Request {
	if rc := chi.RouteContext(template.Context()); rc != nil {
		ctx = context.WithValue(ctx, chi.RouteCtxKey, newRouteContext(rc))
	}
	if role == backends.RolePrimary {
		ctx = backends.WithTarget(ctx, target)
	} else {
		ctx = backends.WithShadowTarget(ctx, target)
	}
	r := template.Clone(ctx)
	r.Body = http.NoBody
	if template.GetBody != nil {
		if body, err := template.GetBody(); err == nil {
			r.Body = body
		}
	}
	return r
}

// takeTemplate keeps j.template, an untouched copy of the shadow's request
// for second runs, taken before the shadow runs. It is the copy
// rerunRequest makes, but for the target, which each second run sets
// anew, and with its routing context in the job: no allocation for them.
func (j *shadowJob) takeTemplate() {
	ctx := j.ctx
	if j.routed {
		copyRouteContext(&j.templateRoute, &j.route, j.templateStrings[:])
		ctx = j.templateCtx.with(ctx, &j.templateRoute)
	}
	t := j.req.Clone(ctx)
	t.Body = http.NoBody
	if j.req.GetBody != nil {
		if body, err := j.req.GetBody(); err == nil {
			t.Body = body
		}
	}
	j.template = t
}
