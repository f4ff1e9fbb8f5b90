package middleware_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/middleware"
	"github.com/shadowread/shadowread/telemetry"
)

// TestShadowWriterSupportsResponseController: a streaming handler that sets
// deadlines and full duplex through http.ResponseController, and answers
// 500 when they fail, runs the same in the shadow as in the primary.
func TestShadowWriterSupportsResponseController(t *testing.T) {
	rec := newSpy()
	s := newShadower(t, rec)
	srv := httptest.NewServer(s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		for name, err := range map[string]error{
			"SetWriteDeadline": rc.SetWriteDeadline(time.Now().Add(time.Minute)),
			"SetReadDeadline":  rc.SetReadDeadline(time.Now().Add(time.Minute)),
			"EnableFullDuplex": rc.EnableFullDuplex(),
		} {
			if err != nil {
				http.Error(w, name+": "+err.Error(), http.StatusInternalServerError)
				return
			}
		}
		for _, part := range []string{`{"id":"p1",`, `"price":12.5}`} {
			io.WriteString(w, part)
			if err := rc.Flush(); err != nil {
				return
			}
		}
	})))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("primary answered %d", resp.StatusCode)
	}
	if ev := rec.next(t); ev.Outcome != telemetry.Match {
		t.Errorf("outcome %s/%s (err %v), want match: the shadow's writer must answer ResponseController", ev.Outcome, ev.Reason, ev.Err)
	}
	srv.Client().CloseIdleConnections()
}

// TestBodilessResponseThroughReadFrom: net/http drops a body sent to a 204
// or 304 (or to HEAD) through io.Copy, so the comparison must not see it.
func TestBodilessResponseThroughReadFrom(t *testing.T) {
	tests := []struct {
		name   string
		method string
		status int
		reason string
	}{
		{"204", http.MethodGet, http.StatusNoContent, "net/http refuses a 204 body"},
		{"304", http.MethodGet, http.StatusNotModified, "net/http refuses a 304 body"},
		{"HEAD", http.MethodHead, http.StatusOK, "net/http sends no body to HEAD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newSpy()
			s := newShadower(t, rec)
			srv := httptest.NewServer(s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				// Hidden WriterTo: io.Copy goes through the writer's ReadFrom.
				io.Copy(w, struct{ io.Reader }{newBodyReader(r.Context())})
			})))
			defer srv.Close()
			req, _ := http.NewRequest(tt.method, srv.URL, nil)
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if len(got) != 0 {
				t.Fatalf("the user got a body %q", got)
			}
			if ev := rec.next(t); ev.Outcome != telemetry.Match {
				t.Errorf("outcome %s (%s), want match: the capture holds what the user received", ev.Outcome, tt.reason)
			}
			srv.Client().CloseIdleConnections()
		})
	}
}

// fileWriter is a server's writer seen from a middleware in front of the
// shadower: it notes whether ReadFrom gets a source that sendfile can send.
type fileWriter struct {
	http.ResponseWriter
	sendfile *atomic.Bool
}

func (w fileWriter) ReadFrom(src io.Reader) (int64, error) {
	if l, ok := src.(*io.LimitedReader); ok {
		src = l.R
	}
	if _, ok := src.(*os.File); ok {
		w.sendfile.Store(true)
	}
	return w.ResponseWriter.(io.ReaderFrom).ReadFrom(src)
}

// TestFileKeepsSendfile: http.ServeContent hands the writer's ReadFrom the
// file itself, so the kernel sends it. A response the middleware does not
// copy (not sampled, or a file over the cap) must reach it unchanged.
func TestFileKeepsSendfile(t *testing.T) {
	const size = 64 << 10
	path := filepath.Join(t.TempDir(), "export.csv")
	if err := os.WriteFile(path, []byte(strings.Repeat("x", size)), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		sampled    bool
		cap        int64
		want       telemetry.Outcome
		wantReason telemetry.Reason
		reason     string
	}{
		{"not sampled", false, 1 << 20, "", "", "the user's writer, untouched"},
		{"sampled, file over the cap", true, 1 << 10, telemetry.Skipped, telemetry.ReasonBodyTooLarge, "nothing to copy: the file goes out as it is"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newSpy()
			s := newShadower(t, rec, middleware.WithFlags(always(backends.Postgres, tt.sampled)), middleware.WithMaxBodyBytes(tt.cap))
			var sendfile atomic.Bool
			h := s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				f, err := os.Open(path)
				if err != nil {
					http.Error(w, err.Error(), http.StatusInternalServerError)
					return
				}
				defer f.Close()
				http.ServeContent(w, r, "export.csv", time.Time{}, f)
			}))
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if backends.IsShadow(r.Context()) {
					h.ServeHTTP(w, r)
					return
				}
				h.ServeHTTP(fileWriter{w, &sendfile}, r)
			}))
			defer srv.Close()
			resp, err := srv.Client().Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			n, _ := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if n != size {
				t.Fatalf("user got %d bytes, want %d", n, size)
			}
			if !sendfile.Load() {
				t.Errorf("the server's ReadFrom never got the file (%s)", tt.reason)
			}
			if tt.sampled {
				if ev := rec.next(t); ev.Outcome != tt.want || ev.Reason != tt.wantReason {
					t.Errorf("outcome %s/%s, want %s/%s", ev.Outcome, ev.Reason, tt.want, tt.wantReason)
				}
			}
			srv.Client().CloseIdleConnections()
		})
	}
}
