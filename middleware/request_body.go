package middleware

import (
	"io"
	"net/http"
	"sync"

	"github.com/shadowread/shadowread/telemetry"
)

// requestBody is the primary's request body. It passes every read through
// as it comes, so the handler reads its body exactly as it would without
// the middleware (Expect: 100-continue is answered only when it reads, a
// full-duplex handler can echo as it reads), and keeps a copy of what was
// read, up to the cap, for the shadow.
type requestBody struct {
	body   io.ReadCloser
	length int64 // the request's ContentLength: -1 when unknown

	mu     sync.Mutex // a handler may read from another goroutine
	copy   cappedBuffer
	read   int64
	eof    bool
	err    error
	onRead func(body []byte) // called once when the body has been read whole
}

// teeBody returns the request the primary serves, whose body is copied as
// it is read, and that body; r itself and a nil body when r has no body.
func teeBody(r *http.Request, max int64) (*http.Request, *requestBody) {
	if r.Body == nil || r.Body == http.NoBody {
		return r, nil
	}
	b := &requestBody{body: r.Body, length: r.ContentLength, copy: cappedBuffer{max: max}}
	pr := new(http.Request)
	*pr = *r
	pr.Body = b
	return pr, b
}

func (b *requestBody) Read(p []byte) (int, error) {
	n, err := b.body.Read(p)
	b.mu.Lock()
	defer b.mu.Unlock()
	kept := p[:min(max(n, 0), len(p))]
	b.copy.Write(kept)
	b.read += int64(len(kept))
	switch {
	case err == io.EOF:
		b.eof = true
	case err != nil && b.err == nil:
		b.err = err
	}
	if f := b.onRead; f != nil && b.whole() {
		b.onRead = nil
		f(b.copy.buf)
	}
	return n, err
}

// whole reports whether the primary has read the body to its end, and the
// shadow can replay it. b.mu is held.
func (b *requestBody) whole() bool {
	return b.err == nil && !b.copy.overflow && (b.eof || b.read == b.length)
}

// whenRead has f called with the body as soon as the primary has read it
// whole, in the goroutine that read it and before its read returns. f must
// be quick and must not read the body.
func (b *requestBody) whenRead(f func(body []byte)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.onRead = f
}

// disarm cancels the whenRead call: once it returns, that call has
// happened or never will.
func (b *requestBody) disarm() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.onRead = nil
}

func (b *requestBody) Close() error { return b.body.Close() }

// skip says why the shadow cannot replay the body the primary read, or
// returns an empty reason when it can.
func (b *requestBody) skip() (telemetry.Reason, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.err != nil:
		return telemetry.ReasonRequestUnreadable, b.err
	case b.copy.overflow:
		return telemetry.ReasonRequestTooLarge, nil
	case !b.eof && b.read != b.length:
		// The handler stopped before the end (a 401 that never reads the
		// body, a decoder that read one value): the shadow would see a
		// different request than the client sent.
		return telemetry.ReasonRequestBodyUnread, nil
	}
	return "", nil
}

// unusable reports whether skip has a reason.
func (b *requestBody) unusable() bool {
	reason, _ := b.skip()
	return reason != ""
}

// bytes returns the body the primary read, once skip has found it whole.
func (b *requestBody) bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.copy.buf
}
