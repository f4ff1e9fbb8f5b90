package middleware_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"mime/multipart"
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

// TestRequestBodyReadByThePrimary: the primary reads its body as it would
// without the middleware, and the shadow replays exactly what it read.
func TestRequestBodyReadByThePrimary(t *testing.T) {
	const body = `{"q":"shoes","page":2}`
	tests := []struct {
		name       string
		read       func(r io.Reader) // how the handler reads its body
		cap        int64
		want       telemetry.Outcome
		wantReason telemetry.Reason
		reason     string
	}{
		{"read whole", func(r io.Reader) { io.ReadAll(r) }, 1 << 10, telemetry.Match, "", "the shadow gets the bytes the primary read"},
		{"never read", func(io.Reader) {}, 1 << 10, telemetry.Skipped, telemetry.ReasonRequestBodyUnread, "a 401 that never reads its body: nothing to replay"},
		{"read in part", func(r io.Reader) { r.Read(make([]byte, 5)) }, 1 << 10, telemetry.Skipped, telemetry.ReasonRequestBodyUnread, "the shadow would see another request"},
		{"over the cap", func(r io.Reader) { io.ReadAll(r) }, 8, telemetry.Skipped, telemetry.ReasonRequestTooLarge, "read whole, but too large to keep"},
	}
	for _, start := range []middleware.Start{middleware.StartAfterPrimary, middleware.StartWithPrimary} {
		for _, tt := range tests {
			t.Run(startName(start)+"/"+tt.name, func(t *testing.T) {
				rec := newSpy()
				s := newShadower(t, rec, middleware.WithStart(start), middleware.WithMethods(http.MethodPost),
					middleware.WithMaxBodyBytes(tt.cap))
				shadowSaw := make(chan string, 1)
				var primaryRead atomic.Bool
				h := s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if backends.IsShadow(r.Context()) {
						b, _ := io.ReadAll(r.Body)
						shadowSaw <- string(b)
						return
					}
					tt.read(r.Body)
					primaryRead.Store(true)
				}))
				h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/search", strings.NewReader(body)))
				ev := rec.next(t)
				if ev.Outcome != tt.want || ev.Reason != tt.wantReason {
					t.Errorf("outcome %s/%s (err %v), want %s/%s: %s", ev.Outcome, ev.Reason, ev.Err, tt.want, tt.wantReason, tt.reason)
				}
				if tt.want == telemetry.Match {
					if got := <-shadowSaw; got != body {
						t.Errorf("shadow read %q, want %q", got, body)
					}
				} else if len(shadowSaw) != 0 {
					t.Errorf("a shadow ran on a body the primary did not read whole")
				}
			})
		}
	}
}

// TestExpectContinueNotAnsweredForTheHandler: a handler that answers 401
// without reading its body must not make net/http ask the client for it.
func TestExpectContinueNotAnsweredForTheHandler(t *testing.T) {
	rec := newSpy()
	s := newShadower(t, rec, middleware.WithMethods(http.MethodPost))
	srv := httptest.NewServer(s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized) // never reads the upload
	})))
	defer srv.Close()
	tr := &http.Transport{ExpectContinueTimeout: time.Minute}
	defer tr.CloseIdleConnections()
	var sent atomic.Bool
	body := &watchedReader{r: strings.NewReader(strings.Repeat("x", 1<<16)), read: &sent}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/upload", body)
	req.ContentLength = 1 << 16
	req.Header.Set("Expect", "100-continue")
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401", resp.StatusCode)
	}
	if sent.Load() {
		t.Error("the client was asked for a body the handler never read (100 Continue sent)")
	}
	if ev := rec.next(t); ev.Outcome != telemetry.Skipped || ev.Reason != telemetry.ReasonRequestBodyUnread {
		t.Errorf("outcome %s/%s, want skipped/request_body_unread", ev.Outcome, ev.Reason)
	}
}

type watchedReader struct {
	r    io.Reader
	read *atomic.Bool
}

func (w *watchedReader) Read(p []byte) (int, error) {
	w.read.Store(true)
	return w.r.Read(p)
}

// TestFullDuplexEcho: a full-duplex handler echoes each line as it reads
// it, and the client sends the next line only once it got the echo. Read
// up front, the body would never end: a deadlock.
func TestFullDuplexEcho(t *testing.T) {
	for _, start := range []middleware.Start{middleware.StartAfterPrimary, middleware.StartWithPrimary} {
		t.Run(startName(start), func(t *testing.T) {
			rec := newSpy()
			s := newShadower(t, rec, middleware.WithStart(start), middleware.WithMethods(http.MethodPost))
			srv := httptest.NewServer(s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				rc := http.NewResponseController(w)
				if err := rc.EnableFullDuplex(); err != nil {
					http.Error(w, err.Error(), http.StatusInternalServerError)
					return
				}
				lines := bufio.NewScanner(r.Body)
				for lines.Scan() {
					io.WriteString(w, "echo "+lines.Text()+"\n")
					if err := rc.Flush(); err != nil {
						http.Error(w, err.Error(), http.StatusInternalServerError)
						return
					}
				}
			})))
			defer srv.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			pr, pw := io.Pipe()
			// The transport waits for the body's writer: end it with the test's deadline.
			stop := context.AfterFunc(ctx, func() { pw.CloseWithError(ctx.Err()) })
			defer stop()
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/chat", pr)
			tr := &http.Transport{}
			defer tr.CloseIdleConnections()
			go io.WriteString(pw, "one\n")
			resp, err := (&http.Client{Transport: tr}).Do(req)
			if err != nil {
				pw.Close()
				t.Fatalf("no response while the body is open: %v", err)
			}
			defer resp.Body.Close()
			echoes := bufio.NewReader(resp.Body)
			for i, line := range []string{"one", "two", "three"} {
				if i > 0 {
					io.WriteString(pw, line+"\n")
				}
				got, err := echoes.ReadString('\n')
				if err != nil || got != "echo "+line+"\n" {
					pw.Close()
					t.Fatalf("echo of %q = %q, %v", line, got, err)
				}
			}
			pw.Close()
			io.Copy(io.Discard, resp.Body)
			if ev := rec.next(t); ev.Outcome != telemetry.Match {
				t.Errorf("outcome %s/%s (err %v), want match: the shadow replays the three lines", ev.Outcome, ev.Reason, ev.Err)
			}
		})
	}
}

// TestMultipartTempFilesRemoved: a handler that parses a multipart form
// with ParseMultipartForm leaves no temporary file behind, neither from the
// primary's request nor from the shadow's.
func TestMultipartTempFilesRemoved(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir) // os.TempDir, where multipart files go
	var upload bytes.Buffer
	mw := multipart.NewWriter(&upload)
	part, _ := mw.CreateFormFile("file", "big.csv")
	part.Write(bytes.Repeat([]byte("a,b,c\n"), 1<<10))
	mw.Close()

	tests := []struct {
		name    string
		primary backends.Name
		sampled bool
		start   middleware.Start
		reason  string
	}{
		{"sampled", backends.Postgres, true, middleware.StartAfterPrimary, "the primary's copy of the request and the shadow's"},
		{"sampled, with primary", backends.Postgres, true, middleware.StartWithPrimary, "the shadow starts once the primary read the body"},
		{"not sampled, DynamoDB primary", backends.DynamoDB, false, middleware.StartAfterPrimary, "the request copied to carry the routing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newSpy()
			s := newShadower(t, rec, middleware.WithFlags(always(tt.primary, tt.sampled)), middleware.WithStart(tt.start),
				middleware.WithMethods(http.MethodPost), middleware.WithMaxBodyBytes(1<<20))
			h := s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if err := r.ParseMultipartForm(1); err != nil { // every file part goes to disk
					http.Error(w, err.Error(), http.StatusBadRequest)
					return
				}
				io.WriteString(w, r.MultipartForm.File["file"][0].Filename)
			}))
			req := httptest.NewRequest(http.MethodPost, "/import", bytes.NewReader(upload.Bytes()))
			req.Header.Set("Content-Type", mw.FormDataContentType())
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != http.StatusOK {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			if tt.sampled {
				if ev := rec.next(t); ev.Outcome != telemetry.Match {
					t.Errorf("outcome %s/%s (err %v), want match", ev.Outcome, ev.Reason, ev.Err)
				}
			}
			if err := s.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
			left, _ := filepath.Glob(filepath.Join(dir, "multipart-*"))
			if len(left) != 0 {
				t.Errorf("%d multipart temporary files left in %s (%s)", len(left), dir, tt.reason)
			}
			for _, f := range left {
				os.Remove(f)
			}
		})
	}
}
