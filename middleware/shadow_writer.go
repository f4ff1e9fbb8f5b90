package middleware

import (
	"net/http"

	"github.com/shadowread/shadowread/comparator"
)

// shadowWriter is the http.ResponseWriter of a shadow execution: it keeps
// the response for comparison and sends nothing anywhere. It is a Flusher so
// streaming handlers run unchanged; it is not a Hijacker.
type shadowWriter struct {
	header http.Header // the handler's live header map
	sent   http.Header // a copy taken when the head was "sent"
	status int
	body   cappedBuffer
}

func newShadowWriter(maxBody int64) *shadowWriter {
	return &shadowWriter{header: make(http.Header), body: cappedBuffer{max: maxBody}}
}

func (w *shadowWriter) Header() http.Header { return w.header }

func (w *shadowWriter) WriteHeader(code int) {
	if w.status != 0 || (code >= 100 && code < 200) {
		return
	}
	w.status = code
	w.sent = w.header.Clone() // later header changes are not sent, as on a real connection
}

func (w *shadowWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	if w.status == http.StatusNoContent || w.status == http.StatusNotModified {
		// As net/http: these responses have no body, so the primary's
		// capture holds none either.
		return 0, http.ErrBodyNotAllowed
	}
	return w.body.Write(p)
}

func (w *shadowWriter) Flush() { w.WriteHeader(http.StatusOK) }

func (w *shadowWriter) response() comparator.Response {
	w.WriteHeader(http.StatusOK)
	return comparator.Response{Status: w.status, Header: w.sent, Body: w.body.buf}
}
