package middleware

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"slices"

	"github.com/go-chi/chi/v5"

	"github.com/shadowread/shadowread/backends"
)

// errBodyTooLarge marks a request whose body exceeds the capture cap.
var errBodyTooLarge = errors.New("middleware: request body exceeds the cap")

// bufferBody reads a request body of at most max bytes so that both the
// primary and the shadow can read it. It returns the request the primary
// must serve (with a body that replays exactly what the client sent, even
// when the body was too large or failed to read) and the bytes for the
// shadow, or an error when there is nothing the shadow can safely replay.
func bufferBody(r *http.Request, max int64) (*http.Request, []byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return r, nil, nil
	}
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(r.Body, max+1))
	body := buf.Bytes()
	pr := new(http.Request)
	*pr = *r
	switch {
	case err != nil:
		pr.Body = readCloser{io.MultiReader(bytes.NewReader(body), errorReader{err}), r.Body}
		return pr, nil, err
	case n > max:
		pr.Body = readCloser{io.MultiReader(bytes.NewReader(body), r.Body), r.Body}
		return pr, nil, errBodyTooLarge
	}
	pr.Body = readCloser{bytes.NewReader(body), r.Body}
	return pr, body, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

type errorReader struct{ err error }

func (e errorReader) Read([]byte) (int, error) { return 0, e.err }

// shadowRequest returns a deep copy of r for the shadow: detached from the
// request's cancellation (the user's request ends long before the shadow),
// routed to the shadow backend, and with its own chi routing context,
// because chi resets and reuses the original once the request is served.
func shadowRequest(r *http.Request, shadow backends.Name, body []byte) *http.Request {
	ctx := context.WithoutCancel(r.Context())
	if rc := chi.RouteContext(ctx); rc != nil {
		ctx = context.WithValue(ctx, chi.RouteCtxKey, copyRouteContext(rc))
	}
	ctx = backends.WithShadowTarget(ctx, shadow)
	sr := r.Clone(ctx)
	sr.Body = http.NoBody
	sr.GetBody = nil
	if body != nil {
		sr.Body = io.NopCloser(bytes.NewReader(body))
		sr.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		sr.ContentLength = int64(len(body))
	}
	return sr
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
