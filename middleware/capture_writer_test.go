package middleware_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/telemetry"
)

// Writers with each set of optional interfaces a server's writer may have:
// net/http's HTTP/1 and HTTP/2 writers, a recorder, a plain writer and a
// set no server has.
type (
	plainWriter      struct{ *httptest.ResponseRecorder }
	readerFromWriter struct {
		*httptest.ResponseRecorder
	}
	http1Writer struct {
		*httptest.ResponseRecorder
		deadline *time.Time
	}
	http2Writer struct{ *httptest.ResponseRecorder }
)

func (w readerFromWriter) ReadFrom(src io.Reader) (int64, error) { return io.Copy(w.Body, src) }

func (w http1Writer) ReadFrom(src io.Reader) (int64, error) { return io.Copy(w.Body, src) }
func (w http1Writer) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return nil, nil, http.ErrNotSupported
}
func (w http1Writer) CloseNotify() <-chan bool { return nil }
func (w http1Writer) SetWriteDeadline(t time.Time) error {
	*w.deadline = t
	return nil
}

func (w http2Writer) CloseNotify() <-chan bool             { return nil }
func (w http2Writer) Push(string, *http.PushOptions) error { return http.ErrNotSupported }

// writerInterfaces names the optional interfaces w has.
func writerInterfaces(w http.ResponseWriter) []string {
	var names []string
	if _, ok := w.(http.Flusher); ok {
		names = append(names, "Flusher")
	}
	if _, ok := w.(http.CloseNotifier); ok {
		names = append(names, "CloseNotifier")
	}
	if _, ok := w.(http.Hijacker); ok {
		names = append(names, "Hijacker")
	}
	if _, ok := w.(io.ReaderFrom); ok {
		names = append(names, "ReaderFrom")
	}
	if _, ok := w.(http.Pusher); ok {
		names = append(names, "Pusher")
	}
	return names
}

// plainOnly hides every optional interface of a recorder.
type plainOnly struct{ w http.ResponseWriter }

func (p plainOnly) Header() http.Header         { return p.w.Header() }
func (p plainOnly) Write(b []byte) (int, error) { return p.w.Write(b) }
func (p plainOnly) WriteHeader(code int)        { p.w.WriteHeader(code) }

// TestCaptureKeepsWriterInterfaces: whatever optional interfaces the
// user's writer has, the primary handler sees exactly those, its body
// reaches the user and the comparison, and http.ResponseController reaches
// the user's writer for the calls the middleware does not take.
func TestCaptureKeepsWriterInterfaces(t *testing.T) {
	tests := []struct {
		name   string
		reason string
		writer func(rec *httptest.ResponseRecorder, deadline *time.Time) http.ResponseWriter
	}{
		{"plain", "a writer with no optional interface", func(rec *httptest.ResponseRecorder, _ *time.Time) http.ResponseWriter {
			return plainOnly{rec}
		}},
		{"flusher", "httptest.ResponseRecorder and most test writers", func(rec *httptest.ResponseRecorder, _ *time.Time) http.ResponseWriter {
			return rec
		}},
		{"http1", "net/http's HTTP/1 writer: Flusher, CloseNotifier, Hijacker, ReaderFrom", func(rec *httptest.ResponseRecorder, deadline *time.Time) http.ResponseWriter {
			return http1Writer{rec, deadline}
		}},
		{"http2", "net/http's HTTP/2 writer: Flusher, CloseNotifier, Pusher", func(rec *httptest.ResponseRecorder, _ *time.Time) http.ResponseWriter {
			return http2Writer{rec}
		}},
		{"reader-from", "a set no server has goes through the general wrapper", func(rec *httptest.ResponseRecorder, _ *time.Time) http.ResponseWriter {
			return readerFromWriter{rec}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newSpy()
			s := newShadower(t, rec)
			seen := make(chan []string, 1)
			h := s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if !backends.IsShadow(r.Context()) {
					seen <- writerInterfaces(w)
					http.NewResponseController(w).SetWriteDeadline(time.Unix(1, 0))
					w.Header().Set("Content-Type", "application/json")
				}
				io.WriteString(w, `{"id":"p1"}`)
			}))
			recorder := httptest.NewRecorder()
			var deadline time.Time
			user := tt.writer(recorder, &deadline)
			h.ServeHTTP(user, httptest.NewRequest(http.MethodGet, "/products/p1", nil))

			if got, want := <-seen, writerInterfaces(user); !slices.Equal(got, want) {
				t.Errorf("handler's writer has %v, the user's %v (%s)", got, want, tt.reason)
			}
			if _, ok := user.(http1Writer); ok && !deadline.Equal(time.Unix(1, 0)) {
				t.Errorf("SetWriteDeadline did not reach the user's writer (%s)", tt.reason)
			}
			if got := recorder.Body.String(); got != `{"id":"p1"}` {
				t.Errorf("user got %q (%s)", got, tt.reason)
			}
			if ev := rec.next(t); ev.Outcome != telemetry.Match {
				t.Errorf("outcome %s/%s, want match: the comparison sees what the user got (%s)", ev.Outcome, ev.Reason, tt.reason)
			}
		})
	}
}
