package middleware

import (
	"bufio"
	"io"
	"net"
	"net/http"

	"github.com/felixge/httpsnoop"

	"github.com/shadowread/shadowread/comparator"
)

// primaryCapture records what the primary handler sends the user while
// passing every call through unchanged. httpsnoop keeps the exact set of
// optional interfaces (Flusher, Hijacker, ReaderFrom, Pusher) of the user's
// writer, so streaming and upgrades behave as without the middleware.
type primaryCapture struct {
	w        http.ResponseWriter
	status   int
	header   http.Header
	body     cappedBuffer
	hijacked bool
}

func newPrimaryCapture(w http.ResponseWriter, maxBody int64) *primaryCapture {
	c := &primaryCapture{body: cappedBuffer{max: maxBody}}
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
				// Keep what the user's writer took; a writer that breaks the
				// io.Writer contract must not make the copy panic.
				c.body.Write(p[:min(max(n, 0), len(p))])
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
