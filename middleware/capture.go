package middleware

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/felixge/httpsnoop"

	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/telemetry"
)

// primaryCapture records what the primary handler sends the user while
// passing every call through unchanged. httpsnoop keeps the exact set of
// optional interfaces (Flusher, Hijacker, ReaderFrom, Pusher) of the user's
// writer, so streaming and upgrades behave as without the middleware.
type primaryCapture struct {
	w        http.ResponseWriter
	head     bool // a HEAD request: the user receives no body
	status   int
	header   http.Header
	body     cappedBuffer
	hijacked bool
}

func newPrimaryCapture(w http.ResponseWriter, method string, maxBody int64) *primaryCapture {
	c := &primaryCapture{head: method == http.MethodHead, body: cappedBuffer{max: maxBody}}
	c.w = httpsnoop.Wrap(w, httpsnoop.Hooks{
		WriteHeader: func(next httpsnoop.WriteHeaderFunc) httpsnoop.WriteHeaderFunc {
			return func(code int) {
				c.noteHeader(w, code)
				next(code)
			}
		},
		Write: func(next httpsnoop.WriteFunc) httpsnoop.WriteFunc {
			return func(p []byte) (int, error) {
				c.noteHeader(w, http.StatusOK)
				n, err := next(p)
				if c.keepsBody() {
					// Keep what the user's writer took; a writer that breaks the
					// io.Writer contract must not make the copy panic.
					c.body.Write(p[:min(max(n, 0), len(p))])
				}
				return n, err
			}
		},
		Flush: func(next httpsnoop.FlushFunc) httpsnoop.FlushFunc {
			return func() {
				// A flush sends the head: later header changes never reach
				// the user, so they must not reach the comparison either.
				c.noteHeader(w, http.StatusOK)
				next()
			}
		},
		ReadFrom: func(next httpsnoop.ReadFromFunc) httpsnoop.ReadFromFunc {
			return func(src io.Reader) (int64, error) {
				c.noteHeader(w, http.StatusOK)
				c.skipLargeFile(src)
				if !c.keepsBody() {
					// Nothing to copy: the user's writer gets src as it is, so
					// a file still goes out with sendfile, and a body net/http
					// drops is not kept either.
					return next(src)
				}
				return next(io.TeeReader(src, &c.body))
			}
		},
		Hijack: func(next httpsnoop.HijackFunc) httpsnoop.HijackFunc {
			return func() (net.Conn, *bufio.ReadWriter, error) {
				conn, rw, err := next()
				if err == nil {
					c.hijacked = true
				}
				return conn, rw, err
			}
		},
	})
	return c
}

// keepsBody reports whether body bytes sent now reach the user, and so
// belong in the copy: a HEAD response and a 204 or 304 have no body.
func (c *primaryCapture) keepsBody() bool {
	return !c.head && bodyAllowed(c.status) && !c.body.overflow
}

// skipLargeFile marks the copy as over the cap when src is a file (or a
// limited part of one, as http.ServeContent sends) whose rest does not fit,
// so the file goes out with sendfile rather than through memory for a
// comparison that will not happen.
func (c *primaryCapture) skipLargeFile(src io.Reader) {
	limit := int64(-1)
	if l, ok := src.(*io.LimitedReader); ok {
		src, limit = l.R, l.N
	}
	f, ok := src.(*os.File)
	if !ok || !c.keepsBody() {
		return
	}
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		return
	}
	offset, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return
	}
	rest := info.Size() - offset
	if limit >= 0 {
		rest = min(rest, limit)
	}
	if rest > c.body.max-int64(len(c.body.buf)) {
		c.body.drop()
	}
}

// noteHeader keeps the status and a copy of the header as they are when the
// response head is sent. Informational 1xx heads are not the response.
func (c *primaryCapture) noteHeader(w http.ResponseWriter, code int) {
	if c.status != 0 || (code >= 100 && code < 200 && code != http.StatusSwitchingProtocols) {
		return
	}
	c.status = code
	c.header = w.Header().Clone()
}

// response returns what the user received. A handler that wrote nothing
// sent an empty 200 with the header it left behind.
func (c *primaryCapture) response() comparator.Response {
	if c.status == 0 {
		c.noteHeader(c.w, http.StatusOK)
	}
	return comparator.Response{Status: c.status, Header: c.header, Body: c.body.buf}
}

// primaryResult is what a shadow needs to know of its primary.
type primaryResult struct {
	resp     comparator.Response
	start    time.Time
	duration time.Duration
	// skip is a telemetry reason when the primary cannot be compared, and
	// err the error behind it, if any.
	skip telemetry.Reason
	err  error
	// unfinished: the primary was still running when the shadow's timeout
	// ended.
	unfinished bool
}

// result summarises the primary once its handler has returned: ctx is the
// context it served under, body its request body (nil if it had none).
func (c *primaryCapture) result(ctx context.Context, start time.Time, body *requestBody) primaryResult {
	p := primaryResult{start: start, duration: time.Since(start)}
	p.resp = c.response()
	switch {
	case c.hijacked:
		p.skip = telemetry.ReasonHijacked
	case ctx.Err() != nil:
		// The user hung up (or a deadline ended the request): the primary's
		// answer is cut short, and comparing it would blame the shadow.
		p.skip, p.err = telemetry.ReasonClientGone, context.Cause(ctx)
	case p.resp.Status >= 500:
		p.skip = telemetry.ReasonPrimaryFailed
	case body != nil && body.unusable():
		p.skip, p.err = body.skip()
	case c.body.overflow:
		p.skip = telemetry.ReasonBodyTooLarge
	}
	return p
}

// bodyAllowed reports whether a response with this status may have a body.
func bodyAllowed(status int) bool {
	return status != http.StatusNoContent && status != http.StatusNotModified && (status < 100 || status >= 200)
}
