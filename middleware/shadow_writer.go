package middleware

import (
	"net/http"
	"time"

	"github.com/shadowread/shadowread/comparator"
)

// shadowWriter is the http.ResponseWriter of a shadow execution: it keeps
// the response for comparison and sends nothing anywhere. It is a Flusher
// and answers http.ResponseController's deadline and full-duplex calls
// (there is no connection, so they have nothing to do), so streaming
// handlers run unchanged; it is not a Hijacker.
type shadowWriter struct {
	header http.Header // the handler's live header map
	// sent is the header as it was when the head was "sent", in flat
	// arrays of the writer's own.
	sent   headerSnapshot
	status int
	head   bool // a HEAD request: the body is not kept, as none is sent
	body   cappedBuffer
}

func newShadowWriter(method string, maxBody int64) *shadowWriter {
	w := &shadowWriter{}
	w.init(method, maxBody)
	return w
}

// init readies w, a zero writer, for a request with this method.
func (w *shadowWriter) init(method string, maxBody int64) {
	*w = shadowWriter{header: make(http.Header), head: method == http.MethodHead, body: cappedBuffer{max: maxBody, pooled: true}}
}

func (w *shadowWriter) Header() http.Header { return w.header }

func (w *shadowWriter) WriteHeader(code int) {
	if w.status != 0 || (code >= 100 && code < 200) {
		return
	}
	w.status = code
	w.sent.take(w.header, nil) // later header changes are not sent, as on a real connection
}

func (w *shadowWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	switch {
	case !bodyAllowed(w.status):
		// As net/http: these responses have no body, so the primary's
		// capture holds none either.
		return 0, http.ErrBodyNotAllowed
	case w.head:
		return len(p), nil // as net/http, which accepts and discards it
	}
	return w.body.Write(p)
}

func (w *shadowWriter) Flush() { w.WriteHeader(http.StatusOK) }

// FlushError is Flush for http.ResponseController.
func (w *shadowWriter) FlushError() error {
	w.Flush()
	return nil
}

// SetReadDeadline, SetWriteDeadline and EnableFullDuplex make
// http.ResponseController work in the shadow as it does for the primary.
func (w *shadowWriter) SetReadDeadline(time.Time) error  { return nil }
func (w *shadowWriter) SetWriteDeadline(time.Time) error { return nil }
func (w *shadowWriter) EnableFullDuplex() error          { return nil }

func (w *shadowWriter) response() comparator.Response {
	w.WriteHeader(http.StatusOK)
	return comparator.Response{Status: w.status, Header: w.sentHeader(), Body: w.body.buf}
}

// sentHeader returns the header as it was when the head was sent: the live
// map itself when the handler has not changed it since, as most do not,
// which then needs no copy; a copy as it was otherwise.
func (w *shadowWriter) sentHeader() http.Header {
	if w.sent.matches(w.header) {
		return w.header
	}
	return w.sent.build()
}
