package middleware

import (
	"bytes"
	"context"
	"io"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/shadowread/shadowread/backends"
)

// snapshotRequest gives j a deep copy of r for the shadow, taken before
// the primary runs, so nothing the primary or later middleware does to r
// reaches the shadow, and its own copy of chi's routing context, which chi
// resets and reuses once the request is served. The copy's body is empty
// until setBody gives it the bytes the primary read.
//
// The context the shadow runs under is built by detach, in the shadow's
// goroutine, off the user's path; unless shadowContext (WithShadowContext)
// is set, which sees the context now, as the primary's is when it runs.
func (j *shadowJob) snapshotRequest(r *http.Request, shadowContext func(context.Context) context.Context) error {
	ctx := r.Context()
	if shadowContext != nil {
		var err error
		if ctx, err = callShadowContext(context.WithoutCancel(ctx), shadowContext); err != nil {
			return err
		}
	}
	if rc := chi.RouteContext(ctx); rc != nil {
		copyRouteContext(&j.route, rc, j.routeStrings[:])
		j.routed = true
	}
	if shadowContext != nil {
		j.ctx = j.shadowContext(ctx)
	}
	j.req = r.Clone(ctx)
	j.req.Body = http.NoBody
	j.req.GetBody = nil
	return nil
}

// callShadowContext returns the context f gives the shadow (ctx when nil),
// or f's panic as an error.
func callShadowContext(ctx context.Context, f func(context.Context) context.Context) (c context.Context, err error) {
	defer func() {
		if p := recover(); p != nil {
			c, err = nil, newPanicError(p)
		}
	}()
	if c := f(ctx); c != nil {
		return c, nil
	}
	return ctx, nil
}

// shadowContext returns ctx detached from the request's cancellation (the
// user's request ends long before the shadow), with the shadow's copy of
// chi's routing context and routed to the shadow backend.
func (j *shadowJob) shadowContext(ctx context.Context) context.Context {
	ctx = context.WithoutCancel(ctx)
	if j.routed {
		ctx = j.routeCtx.with(ctx, &j.route)
	}
	return backends.WithShadowTarget(ctx, j.ev.Shadow)
}

// detach gives the shadow its context, j.ctx; the shadow's goroutine
// calls it before anything reads the context.
func (j *shadowJob) detach() {
	if j.ctx == nil {
		j.ctx = j.shadowContext(j.req.Context())
	}
}

// setBody gives the shadow's request the body the primary read.
func setBody(sr *http.Request, body []byte) {
	sr.Body = io.NopCloser(bytes.NewReader(body))
	sr.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	sr.ContentLength = int64(len(body))
}

// removeMultipart deletes the temporary files of a multipart form parsed on
// served, a copy of orig: net/http removes only those of the request it
// created, so a form parsed on a copy would stay on disk.
func removeMultipart(served, orig *http.Request) {
	if f := served.MultipartForm; f != nil && f != orig.MultipartForm {
		f.RemoveAll()
	}
}

// routeValue is a context that carries a routing context under
// chi.RouteCtxKey, as context.WithValue does, but held in the job, which
// is allocated anyway: one allocation less each.
type routeValue struct {
	context.Context
	rc *chi.Context
}

// with returns a context that is parent with rc as its routing context.
// It sets v: once per value.
func (v *routeValue) with(parent context.Context, rc *chi.Context) context.Context {
	v.Context, v.rc = parent, rc
	return v
}

// Value returns the routing context, or the parent's value of key.
func (v *routeValue) Value(key any) any {
	if key == chi.RouteCtxKey {
		return v.rc
	}
	return v.Context.Value(key)
}

// newRouteContext returns a copy of rc.
func newRouteContext(rc *chi.Context) *chi.Context {
	c := chi.NewRouteContext()
	copyRouteContext(c, rc, nil)
	return c
}

// copyRouteContext copies rc into c, a new routing context. The strings
// go into space when they fit, into one new array otherwise.
func copyRouteContext(c, rc *chi.Context, space []string) {
	c.Routes = rc.Routes
	c.RoutePath = rc.RoutePath
	c.RouteMethod = rc.RouteMethod
	// One array holds the three string slices: fewer allocations per shadow.
	keys, values, patterns := rc.URLParams.Keys, rc.URLParams.Values, rc.RoutePatterns
	n := len(keys) + len(values) + len(patterns)
	all := space[:0]
	if n > cap(all) {
		all = make([]string, 0, n)
	}
	all = append(append(append(all, keys...), values...), patterns...)
	c.URLParams.Keys = all[:len(keys):len(keys)]
	c.URLParams.Values = all[len(keys) : len(keys)+len(values) : len(keys)+len(values)]
	c.RoutePatterns = all[len(keys)+len(values):]
}
