package middleware_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/middleware"
	"github.com/shadowread/shadowread/telemetry"
)

// TestBadResponses serves awkward responses through a real net/http server,
// once bare and once behind the middleware with the real JSON comparator.
// The client must get the same bytes either way, and the outcome must say
// what a person comparing the two responses would say.
func TestBadResponses(t *testing.T) {
	const product = `{"id":"p1","price":12.5}`
	bomb := gzipBytes(t, bytes.Repeat([]byte{'0'}, 8<<20), gzip.BestCompression, "")
	tests := []struct {
		name       string
		method     string
		reqBody    string
		handler    func(w http.ResponseWriter, r *http.Request, shadow bool)
		want       telemetry.Outcome
		wantReason telemetry.Reason
		wantPath   string // of the one difference a mismatch must name
		reason     string
	}{
		{
			name: "non-JSON, same", method: http.MethodGet,
			handler: func(w http.ResponseWriter, _ *http.Request, _ bool) {
				w.Header().Set("Content-Type", "text/plain")
				io.WriteString(w, "plain text, not JSON")
			},
			want: telemetry.Match, reason: "bodies that are not JSON are compared as bytes",
		},
		{
			name: "non-JSON, different", method: http.MethodGet,
			handler: func(w http.ResponseWriter, _ *http.Request, shadow bool) {
				io.WriteString(w, map[bool]string{false: "<html>a</html>", true: "<html>b</html>"}[shadow])
			},
			want: telemetry.Mismatch, wantPath: "$body", reason: "a byte difference is still a difference",
		},
		{
			name: "invalid UTF-8, same", method: http.MethodGet,
			handler: func(w http.ResponseWriter, _ *http.Request, _ bool) {
				w.Write([]byte("{\"name\":\"caf\xe9\"}"))
			},
			want: telemetry.Match, reason: "identical bytes match even when they are not valid UTF-8",
		},
		{
			name: "invalid UTF-8, one byte apart", method: http.MethodGet,
			handler: func(w http.ResponseWriter, _ *http.Request, shadow bool) {
				w.Write([]byte(map[bool]string{false: "{\"name\":\"caf\xe9\"}", true: "{\"name\":\"caf\xe8\"}"}[shadow]))
			},
			want: telemetry.Mismatch, wantPath: "$body", reason: "decoding would turn both into U+FFFD and hide the difference",
		},
		{
			name: "no body", method: http.MethodGet,
			handler: func(http.ResponseWriter, *http.Request, bool) {},
			want:    telemetry.Match, reason: "a handler that writes nothing sends an empty 200",
		},
		{
			name: "204 with a stray write", method: http.MethodGet,
			handler: func(w http.ResponseWriter, _ *http.Request, _ bool) {
				w.WriteHeader(http.StatusNoContent)
				io.WriteString(w, "net/http refuses this")
			},
			want: telemetry.Match, reason: "the shadow refuses a 204 body as net/http does for the primary",
		},
		{
			name: "HEAD", method: http.MethodHead,
			handler: func(w http.ResponseWriter, _ *http.Request, _ bool) {
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, product)
			},
			want: telemetry.Match, reason: "HEAD is shadowed; the body the handlers write never reaches the client, so neither side keeps it",
		},
		{
			name: "GET with a body", method: http.MethodGet, reqBody: `{"q":"shoes"}`,
			handler: func(w http.ResponseWriter, r *http.Request, _ bool) {
				b, _ := io.ReadAll(r.Body)
				w.Write(b)
			},
			want: telemetry.Match, reason: "the shadow reads the same request body as the primary",
		},
		{
			name: "streamed with Flush", method: http.MethodGet,
			handler: func(w http.ResponseWriter, _ *http.Request, _ bool) {
				w.Header().Set("Content-Type", "application/json")
				for _, part := range []string{`{"id":"p1",`, `"price":`, `12.5}`} {
					io.WriteString(w, part)
					http.NewResponseController(w).Flush()
				}
			},
			want: telemetry.Match, reason: "the chunks of a streamed body are compared as one document",
		},
		{
			name: "gzip, same JSON, different streams", method: http.MethodGet,
			handler: func(w http.ResponseWriter, _ *http.Request, shadow bool) {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Content-Encoding", "gzip")
				level, name := gzip.BestSpeed, ""
				if shadow {
					level, name = gzip.BestCompression, "shadow.json"
				}
				w.Write(gzipBytes(t, []byte(product), level, name))
			},
			want: telemetry.Match, reason: "gzip streams of one document differ in bytes; the decoded documents are compared",
		},
		{
			name: "gzip, different JSON", method: http.MethodGet,
			handler: func(w http.ResponseWriter, _ *http.Request, shadow bool) {
				w.Header().Set("Content-Encoding", "gzip")
				body := product
				if shadow {
					body = strings.Replace(product, "12.5", "13.5", 1)
				}
				w.Write(gzipBytes(t, []byte(body), gzip.DefaultCompression, ""))
			},
			want: telemetry.Mismatch, wantPath: "price", reason: "the decoded JSON is compared path by path",
		},
		{
			name: "gzip bomb", method: http.MethodGet,
			handler: func(w http.ResponseWriter, _ *http.Request, _ bool) {
				w.Header().Set("Content-Encoding", "gzip")
				w.Write(bomb)
			},
			want: telemetry.Skipped, wantReason: telemetry.ReasonBodyTooLarge,
			reason: "a small body that inflates past the cap is not decoded further",
		},
		{
			name: "corrupt gzip", method: http.MethodGet,
			handler: func(w http.ResponseWriter, _ *http.Request, _ bool) {
				w.Header().Set("Content-Encoding", "gzip")
				io.WriteString(w, product)
			},
			want: telemetry.Skipped, wantReason: telemetry.ReasonCompareFailed,
			reason: "a body that says gzip but is not cannot be compared as what it claims",
		},
	}
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	t.Cleanup(client.CloseIdleConnections)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				tt.handler(w, r, backends.IsShadow(r.Context()))
			})
			rec := newSpy()
			s := newShadower(t, rec,
				middleware.WithComparator(comparator.JSON()),
				middleware.WithMaxBodyBytes(64<<10))
			bare := httptest.NewServer(handler)
			defer bare.Close()
			wrapped := httptest.NewServer(s.Handler(handler))
			defer wrapped.Close()

			want := fetch(t, client, tt.method, bare.URL, tt.reqBody)
			got := fetch(t, client, tt.method, wrapped.URL, tt.reqBody)
			if got.String() != want.String() {
				t.Errorf("client got\n%s\nbehind the middleware, want what the bare handler sends:\n%s", got, want)
			}
			ev := rec.next(t)
			if ev.Outcome != tt.want || ev.Reason != tt.wantReason {
				t.Fatalf("outcome = %q/%q (err %v, diffs %+v), want %q/%q: %s",
					ev.Outcome, ev.Reason, ev.Err, ev.Result.Diffs, tt.want, tt.wantReason, tt.reason)
			}
			if tt.wantPath != "" && (len(ev.Result.Diffs) != 1 || ev.Result.Diffs[0].Path != tt.wantPath) {
				t.Errorf("diffs = %+v, want one at %s", ev.Result.Diffs, tt.wantPath)
			}
		})
	}
}

// TestHugeResponseMemoryBounded streams a response far over the cap, from
// the primary and, started together with it, from the shadow. The client
// gets every byte; the middleware allocates no more than about the cap.
func TestHugeResponseMemoryBounded(t *testing.T) {
	const (
		cap   = 1 << 20
		total = 256 << 20
	)
	chunk := bytes.Repeat([]byte("x"), 64<<10)
	for _, start := range []middleware.Start{middleware.StartAfterPrimary, middleware.StartWithPrimary} {
		t.Run(startName(start), func(t *testing.T) {
			rec := newSpy()
			s := newShadower(t, rec, middleware.WithStart(start), middleware.WithMaxBodyBytes(cap))
			h := s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for range total / len(chunk) {
					w.Write(chunk)
				}
			}))
			w := &countingWriter{header: http.Header{}}
			req := httptest.NewRequest(http.MethodGet, "/export", nil)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			h.ServeHTTP(w, req)
			ev := rec.next(t)
			runtime.ReadMemStats(&after)

			if w.n != total {
				t.Errorf("client got %d bytes, want all %d", w.n, total)
			}
			if ev.Outcome != telemetry.Skipped || ev.Reason != telemetry.ReasonBodyTooLarge {
				t.Errorf("outcome = %q/%q, want skipped/body_too_large", ev.Outcome, ev.Reason)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16*cap {
				t.Errorf("serving %d MiB allocated %d KiB, want at most %d KiB: the copy for comparison must stop at the cap",
					total>>20, alloc>>10, 16*cap>>10)
			} else {
				t.Logf("serving %d MiB allocated %d KiB", total>>20, alloc>>10)
			}
		})
	}
}

// countingWriter is a client that reads a response and keeps only its size.
type countingWriter struct {
	header http.Header
	code   int
	n      int
}

func (w *countingWriter) Header() http.Header { return w.header }
func (w *countingWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}
func (w *countingWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.n += len(p)
	return len(p), nil
}

// response is what a client received, with the headers that differ between
// any two responses (Date) left out.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) String() string {
	var b strings.Builder
	r.header.Write(&b)
	return http.StatusText(r.status) + "\n" + b.String() + "\n" + string(r.body)
}

func fetch(t *testing.T, client *http.Client, method, url, body string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	resp.Header.Del("Date")
	return response{resp.StatusCode, resp.Header, b}
}

func gzipBytes(t testing.TB, b []byte, level int, name string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, level)
	if err != nil {
		t.Fatal(err)
	}
	zw.Name = name
	if name != "" {
		zw.ModTime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	}
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestUnreadableRequestBody: the client goes away in the middle of a body
// the middleware reads for the shadow. The primary reads exactly what it
// would have read without the middleware, error included, and no shadow
// runs on a body that is not whole.
func TestUnreadableRequestBody(t *testing.T) {
	rec := newSpy()
	s := newShadower(t, rec, middleware.WithMethods(http.MethodPost))
	type read struct {
		body string
		err  error
	}
	reads := make(chan read, 2)
	h := s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		reads <- read{string(b), err}
	}))
	cut := errors.New("client went away")
	body := func() io.Reader { return io.MultiReader(strings.NewReader(`{"q":"sh`), iotest.ErrReader(cut)) }
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/search", body()))
	got := <-reads
	if got.body != `{"q":"sh` || !errors.Is(got.err, cut) {
		t.Errorf("primary read %q, %v; want the bytes that came and the client's error", got.body, got.err)
	}
	ev := rec.next(t)
	if ev.Outcome != telemetry.Skipped || ev.Reason != telemetry.ReasonRequestUnreadable || !errors.Is(ev.Err, cut) {
		t.Errorf("outcome %q/%q err %v, want skipped/request_unreadable with the read error", ev.Outcome, ev.Reason, ev.Err)
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(reads) != 0 {
		t.Error("a shadow ran on a partial body")
	}
}
