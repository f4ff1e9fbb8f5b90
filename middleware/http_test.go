package middleware_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/middleware"
	"github.com/shadowread/shadowread/telemetry"
)

// These tests serve through a real net/http server, whose ResponseWriter
// has the optional interfaces that a hand-written wrapper tends to hide.

func TestStreamingFlushReachesClient(t *testing.T) {
	rec := newSpy()
	s := newShadower(t, rec)
	firstRead := make(chan struct{})
	srv := httptest.NewServer(s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "first\n")
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Errorf("Flush through the middleware: %v", err)
		}
		if !backends.IsShadow(r.Context()) {
			<-firstRead // the client has the first line before the handler goes on
		}
		io.WriteString(w, "second\n")
	})))
	defer srv.Close()

	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	line, err := br.ReadString('\n')
	if err != nil || line != "first\n" {
		t.Fatalf("first line = %q, %v", line, err)
	}
	close(firstRead)
	rest, _ := io.ReadAll(br)
	if string(rest) != "second\n" {
		t.Errorf("rest = %q", rest)
	}
	if ev := rec.next(t); ev.Outcome != telemetry.Match {
		t.Errorf("outcome = %q, want match (the shadow streams the same lines)", ev.Outcome)
	}
}

// TestHijackedConnectionIsNotShadowed: a hijack made through
// http.ResponseController, directly or behind an outer writer that offers
// only Unwrap, gives the client the raw response; the request is skipped
// as hijacked and no shadow runs.
func TestHijackedConnectionIsNotShadowed(t *testing.T) {
	tests := []struct {
		name   string
		outer  func(http.Handler) http.Handler
		reason string
	}{
		{"direct", func(h http.Handler) http.Handler { return h }, "the capture sees the server's own writer"},
		{"behind an Unwrap-only writer", outerUnwrapOnly, "the controller walks through the capture's Unwrap, which still sees the hijack"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newSpy()
			s := newShadower(t, rec)
			srv := httptest.NewServer(tt.outer(s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if backends.IsShadow(r.Context()) {
					t.Error("a hijacked request was shadowed")
					return
				}
				conn, buf, err := http.NewResponseController(w).Hijack()
				if err != nil {
					t.Errorf("Hijack through the middleware: %v", err)
					return
				}
				defer conn.Close()
				buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nhijacked")
				buf.Flush()
			}))))
			defer srv.Close()

			resp, err := http.Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(body) != "hijacked" {
				t.Errorf("body = %q, want the hijacker's", body)
			}
			if ev := rec.next(t); ev.Outcome != telemetry.Skipped || ev.Reason != telemetry.ReasonHijacked {
				t.Errorf("outcome = %q/%q (%v), want skipped/hijacked: %s", ev.Outcome, ev.Reason, ev.Err, tt.reason)
			}
			if n := rec.startedCount(); n != 0 {
				t.Errorf("%d shadows started for a hijacked request, want none: %s", n, tt.reason)
			}
		})
	}
}

func TestReadFromIsCaptured(t *testing.T) {
	rec := newSpy()
	s := newShadower(t, rec)
	srv := httptest.NewServer(s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := w.(io.ReaderFrom); !ok && !backends.IsShadow(r.Context()) {
			t.Error("the middleware hid io.ReaderFrom from the primary")
		}
		io.Copy(w, struct{ io.Reader }{newBodyReader(r.Context())})
	})))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if ev := rec.next(t); ev.Outcome != telemetry.Mismatch {
		t.Errorf("outcome = %q, want mismatch: the body sent by ReadFrom must be captured", ev.Outcome)
	}
}

func newBodyReader(ctx context.Context) io.Reader {
	return &onceReader{s: "served by " + string(backends.Target(ctx))}
}

type onceReader struct{ s string }

func (o *onceReader) Read(p []byte) (int, error) {
	if o.s == "" {
		return 0, io.EOF
	}
	n := copy(p, o.s)
	o.s = o.s[n:]
	return n, nil
}

// TestFlushSendsTheHead: a flush sends the response head, so header changes
// made after it never reach the client. The comparator must see the head
// the client got, from both sides.
func TestFlushSendsTheHead(t *testing.T) {
	rec := newSpy()
	seen := make(chan [2]comparator.Response, 1)
	s := newShadower(t, rec, middleware.WithComparator(comparator.Func(func(p, sh comparator.Response) comparator.Result {
		seen <- [2]comparator.Response{p, sh}
		return bytesEqual(p, sh)
	})))
	srv := httptest.NewServer(s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Stage", "head")
		http.NewResponseController(w).Flush()
		w.Header().Set("X-Stage", "too late")
		io.WriteString(w, "body")
	})))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if got := resp.Header.Get("X-Stage"); got != "head" {
		t.Fatalf("client got X-Stage %q, want head", got)
	}
	got := <-seen
	for i, side := range []string{"primary", "shadow"} {
		if v := got[i].Header.Get("X-Stage"); v != "head" {
			t.Errorf("comparator saw the %s's X-Stage %q, want %q as the client got it", side, v, "head")
		}
	}
	if ev := rec.next(t); ev.Outcome != telemetry.Match {
		t.Errorf("outcome = %q, want match", ev.Outcome)
	}
}
