package middleware

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"slices"

	"github.com/go-chi/chi/v5"

	"github.com/shadowread/shadowread/backends"
)

// shadowRequest returns a deep copy of r for the shadow: detached from the
// request's cancellation (the user's request ends long before the shadow),
// with the context values shadowContext gives it (nil: r's own), routed to
// the shadow backend, and with its own chi routing context, because chi
// resets and reuses the original once the request is served. Its body is
// empty until setBody gives it the bytes the primary read.
func shadowRequest(r *http.Request, shadow backends.Name, shadowContext func(context.Context) context.Context) (sr *http.Request, err error) {
	ctx := context.WithoutCancel(r.Context())
	if shadowContext != nil {
		defer func() {
			if p := recover(); p != nil {
				sr, err = nil, newPanicError(p)
			}
		}()
		if c := shadowContext(ctx); c != nil {
			ctx = context.WithoutCancel(c)
		}
	}
	if rc := chi.RouteContext(ctx); rc != nil {
		ctx = context.WithValue(ctx, chi.RouteCtxKey, copyRouteContext(rc))
	}
	ctx = backends.WithShadowTarget(ctx, shadow)
	sr = r.Clone(ctx)
	sr.Body = http.NoBody
	sr.GetBody = nil
	return sr, nil
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

func copyRouteContext(rc *chi.Context) *chi.Context {
	c := chi.NewRouteContext()
	c.Routes = rc.Routes
	c.RoutePath = rc.RoutePath
	c.RouteMethod = rc.RouteMethod
	// One array holds the three string slices: fewer allocations per shadow.
	keys, values, patterns := rc.URLParams.Keys, rc.URLParams.Values, rc.RoutePatterns
	all := slices.Concat(keys, values, patterns)
	c.URLParams.Keys = all[:len(keys):len(keys)]
	c.URLParams.Values = all[len(keys) : len(keys)+len(values) : len(keys)+len(values)]
	c.RoutePatterns = all[len(keys)+len(values):]
	return c
}
