package middleware

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
)

// writer returns the writer the primary handler gets: c itself or one of
// the concrete writers below when the user's writer has a set of optional
// interfaces they cover, exactly, and an httpsnoop wrapper otherwise. The
// concrete writers save the wrapper and its closures on every sampled
// request.
func (c *primaryCapture) writer() http.ResponseWriter {
	_, flusher := c.user.(http.Flusher)
	_, notifier := c.user.(http.CloseNotifier)
	_, hijacker := c.user.(http.Hijacker)
	_, readerFrom := c.user.(io.ReaderFrom)
	_, pusher := c.user.(http.Pusher)
	switch {
	case !flusher && !notifier && !hijacker && !readerFrom && !pusher:
		return c
	case flusher && !notifier && !hijacker && !readerFrom && !pusher:
		return flushCapture{c} // httptest.ResponseRecorder and most test writers
	case flusher && notifier && hijacker && readerFrom && !pusher:
		return http1Capture{c} // net/http's HTTP/1 writer
	case flusher && notifier && !hijacker && !readerFrom && pusher:
		return http2Capture{c} // net/http's HTTP/2 writer
	}
	return c.snoop()
}

// flushCapture is the capture of a writer that is only a Flusher.
type flushCapture struct{ *primaryCapture }

func (c flushCapture) Flush() { c.flush() }

// http1Capture is the capture of net/http's HTTP/1 writer.
type http1Capture struct{ *primaryCapture }

func (c http1Capture) Flush()                                       { c.flush() }
func (c http1Capture) ReadFrom(src io.Reader) (int64, error)        { return c.readFrom(src) }
func (c http1Capture) Hijack() (net.Conn, *bufio.ReadWriter, error) { return c.hijack() }

// CloseNotify passes the deprecated http.CloseNotifier through.
func (c http1Capture) CloseNotify() <-chan bool { return c.user.(http.CloseNotifier).CloseNotify() }

// http2Capture is the capture of net/http's HTTP/2 writer.
type http2Capture struct{ *primaryCapture }

func (c http2Capture) Flush() { c.flush() }

// CloseNotify passes the deprecated http.CloseNotifier through.
func (c http2Capture) CloseNotify() <-chan bool { return c.user.(http.CloseNotifier).CloseNotify() }

func (c http2Capture) Push(target string, opts *http.PushOptions) error {
	return c.user.(http.Pusher).Push(target, opts)
}

// chainWriter is what the capture's Unwrap returns: the user's writer as
// http.ResponseController walks to it, but with Hijack and FlushError
// taken by the capture. A handler behind an outer wrapper that offers only
// Unwrap (as Go advises wrappers to) reaches the server's writer through
// here, so its hijack is seen and its flush notes the head that went out;
// everything else (deadlines, full duplex) goes on down the chain. The
// handler's writer keeps exactly the user's optional interfaces: only
// http.ResponseController's walk finds these two.
type chainWriter struct{ c *primaryCapture }

func (w chainWriter) Header() http.Header                          { return w.c.Header() }
func (w chainWriter) Write(p []byte) (int, error)                  { return w.c.Write(p) }
func (w chainWriter) WriteHeader(code int)                         { w.c.WriteHeader(code) }
func (w chainWriter) Unwrap() http.ResponseWriter                  { return w.c.user }
func (w chainWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) { return w.c.hijack() }

// FlushError flushes through the user's writer's chain. The head is noted
// first, as the flush may send it, unless no writer in the chain flushes.
func (w chainWriter) FlushError() error {
	c := w.c
	sent := c.status != 0
	c.noteHeader(http.StatusOK)
	err := http.NewResponseController(c.user).Flush()
	if !sent && errors.Is(err, http.ErrNotSupported) {
		c.status, c.header = 0, headerSnapshot{} // nothing went out
	}
	return err
}
