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
// passing every call through unchanged. The handler gets a writer with the
// exact set of optional interfaces (Flusher, Hijacker, ReaderFrom, Pusher,
// CloseNotifier) of the user's writer, so streaming and upgrades behave as
// without the middleware: a concrete type for the sets net/http's own
// writers have, httpsnoop for any other.
type primaryCapture struct {
	user     http.ResponseWriter // the user's writer
	w        http.ResponseWriter // the writer the handler gets
	head     bool                // a HEAD request: the user receives no body
	status   int
	header   headerSnapshot
	outer    *outerHeader // what outer middleware had set; nil if nothing
	body     cappedBuffer
	hijacked bool
}

// init readies c, a zero capture, for the user's writer w.
func (c *primaryCapture) init(w http.ResponseWriter, method string, maxBody int64) {
	c.user, c.head, c.body = w, method == http.MethodHead, cappedBuffer{max: maxBody, pooled: true}
	c.outer = newOuterHeader(w.Header())
	c.w = c.writer()
}

// Header, WriteHeader, Write and Unwrap make the capture the handler's
// writer when the user's writer has no optional interface.
func (c *primaryCapture) Header() http.Header { return c.user.Header() }

func (c *primaryCapture) WriteHeader(code int) {
	c.noteHeader(code)
	c.user.WriteHeader(code)
}

func (c *primaryCapture) Write(p []byte) (int, error) {
	c.noteHeader(http.StatusOK)
	n, err := c.user.Write(p)
	if c.keepsBody() {
		// Keep what the user's writer took; a writer that breaks the
		// io.Writer contract must not make the copy panic.
		c.body.Write(p[:min(max(n, 0), len(p))])
	}
	return n, err
}

// Unwrap lets http.ResponseController reach the user's writer for the
// calls the capture does not take (deadlines, full duplex), through
// chainWriter, which takes a hijack or a flush however deep in the chain
// it is made.
func (c *primaryCapture) Unwrap() http.ResponseWriter { return chainWriter{c} }

func (c *primaryCapture) flush() {
	// A flush sends the head: later header changes never reach the user,
	// so they must not reach the comparison either.
	c.noteHeader(http.StatusOK)
	c.user.(http.Flusher).Flush()
}

func (c *primaryCapture) readFrom(src io.Reader) (int64, error) {
	c.noteHeader(http.StatusOK)
	c.skipLargeFile(src)
	if !c.keepsBody() {
		// Nothing to copy: the user's writer gets src as it is, so a file
		// still goes out with sendfile, and a body net/http drops is not
		// kept either.
		return c.user.(io.ReaderFrom).ReadFrom(src)
	}
	return c.user.(io.ReaderFrom).ReadFrom(io.TeeReader(src, &c.body))
}

// hijack hijacks the connection through the user's writer or, when that
// hides Hijack behind Unwrap, through the first writer of its chain that
// has it, as http.ResponseController does; its error, ErrNotSupported
// when none has, is the one the handler would get without the capture.
func (c *primaryCapture) hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(c.user).Hijack()
	if err == nil {
		c.hijacked = true
	}
	return conn, rw, err
}

// snoop wraps the user's writer with httpsnoop, for the sets of optional
// interfaces that no concrete writer has.
func (c *primaryCapture) snoop() http.ResponseWriter {
	return httpsnoop.Wrap(c.user, httpsnoop.Hooks{
		WriteHeader: func(httpsnoop.WriteHeaderFunc) httpsnoop.WriteHeaderFunc { return c.WriteHeader },
		Write:       func(httpsnoop.WriteFunc) httpsnoop.WriteFunc { return c.Write },
		Flush:       func(httpsnoop.FlushFunc) httpsnoop.FlushFunc { return c.flush },
		ReadFrom:    func(httpsnoop.ReadFromFunc) httpsnoop.ReadFromFunc { return c.readFrom },
		Hijack:      func(httpsnoop.HijackFunc) httpsnoop.HijackFunc { return c.hijack },
	})
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
// response head is sent, but for the headers outer middleware set and the
// handler left alone. Informational 1xx heads are not the response.
func (c *primaryCapture) noteHeader(code int) {
	if c.status != 0 || (code >= 100 && code < 200 && code != http.StatusSwitchingProtocols) {
		return
	}
	c.status = code
	c.header.take(c.user.Header(), c.outer)
}

// response returns what the user received, but for the header, which is
// built from its snapshot by the shadow. A handler that wrote nothing sent
// an empty 200 with the header it left behind.
func (c *primaryCapture) response() (comparator.Response, *headerSnapshot) {
	if c.status == 0 {
		c.noteHeader(http.StatusOK)
	}
	return comparator.Response{Status: c.status, Body: c.body.buf}, &c.header
}

// primaryResult is what a shadow needs to know of its primary.
type primaryResult struct {
	// resp is the primary's response; its Header is nil until header, the
	// snapshot taken on the user's path, is turned into it by
	// buildHeader in the shadow.
	resp   comparator.Response
	header *headerSnapshot
	// block is the pooled memory behind resp.Body, given back by release.
	block    *[]byte
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
	p.resp, p.header = c.response()
	// The body's memory now belongs to the result: the capture, which a
	// delayed re-check keeps with its job, lets go of it.
	p.block = c.body.block
	c.body.block, c.body.buf = nil, nil
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

// release gives the memory of the response body back for reuse, once nothing
// refers to it: the comparison and the noise baseline are done, or will not
// happen.
func (p *primaryResult) release() {
	putBlock(p.block)
	p.block, p.resp.Body = nil, nil
}

// buildHeader sets the response header from its snapshot, once.
func (p *primaryResult) buildHeader() {
	if p.header != nil {
		p.resp.Header = p.header.build()
		p.header = nil
	}
}
