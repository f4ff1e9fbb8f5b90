package middleware_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/middleware"
	"github.com/shadowread/shadowread/telemetry"
)

// fuzzCap is the body cap of the fuzz target, small so that inputs cross it.
const fuzzCap = 64

// FuzzShadowCapture sends an arbitrary request (method, target, headers,
// body) to a handler that writes an arbitrary response (status, headers,
// chunks, flushes), once bare and once through the middleware, which
// shadows it. The user's response must be exactly the bare one; the shadow
// must see exactly the request the primary saw; since the handler answers
// the same both times, the comparator must get two identical responses, the
// primary's being what the user got; and nothing may panic.
func FuzzShadowCapture(f *testing.F) {
	gz := gzipBytes(f, []byte(`{"id":"p1"}`), 1, "")
	for _, seed := range []struct {
		method, target, header, body string
		script                       []byte
		shadowMethod, withPrimary    bool
	}{
		{"GET", "/products/1?x=y", "Accept: application/json\nAuthorization: Bearer t", "",
			script(setHeader("Content-Type", "application/json"), write(`{"id":"p1"}`)), false, false},
		{"HEAD", "/products/1", "", "", script(write("hello")), false, true},
		{"POST", "/search", "Content-Type: application/json", `{"q":"shoes"}`, script(status(201), write("done")), true, false},
		{"GET", "/stream", "", "", script(setHeader("Cache-Control", "a"), flush(), setHeader("X-A", "late"), write("x"), flush(), write("abc")), false, true},
		{"GET", "/gz", "", "", script(setHeader("Content-Encoding", "gzip"), write(string(gz))), false, false},
		{"GET", "/gz-corrupt", "", "", script(setHeader("Content-Encoding", "gzip"), write("not gzip")), false, true},
		{"GET", "/empty", "", "", script(status(204), write("stray")), false, false},
		{"GET", "/fail", "", "", script(status(503), write("oops")), false, true},
		{"GET", "/big", "", strings.Repeat("b", 100), script(write(strings.Repeat("z", 255))), true, false},
		{"GET", "/big-response", "", "", script(write(strings.Repeat("z", 40)), write(strings.Repeat("y", 40))), false, false},
		{"PUT", "/multi", "X-A: 1\nX-A: 2", "x", script(addHeader("v1"), addHeader("v2"), write("a"), deleteHeader("X-A")), true, true},
	} {
		f.Add(seed.method, seed.target, []byte(seed.header), []byte(seed.body), seed.script, seed.shadowMethod, seed.withPrimary)
	}

	f.Fuzz(func(t *testing.T, method, target string, header, body, script []byte, shadowMethod, withPrimary bool) {
		if method == "" {
			return
		}
		u, err := url.ParseRequestURI(target)
		if err != nil {
			return
		}
		newRequest := func() *http.Request {
			r := &http.Request{
				Method: method, URL: u, RequestURI: target, Host: "shop.example", RemoteAddr: "192.0.2.1:1234",
				Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: parseHeader(header), Body: http.NoBody,
			}
			if len(body) > 0 {
				r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
			}
			return r.WithContext(context.Background())
		}

		views := make(chan requestView, 3)
		handler := scripted(script, views)
		bare := httptest.NewRecorder()
		handler.ServeHTTP(bare, newRequest())
		bareView := <-views

		compared := make(chan [2]comparator.Response, 1)
		rec := newSpy()
		opts := []middleware.Option{
			middleware.WithFlags(always(backends.Postgres, true)),
			middleware.WithRecorder(rec),
			middleware.WithMaxBodyBytes(fuzzCap),
			middleware.WithComparator(comparator.Func(func(p, s comparator.Response) comparator.Result {
				// Compare must not keep its arguments: the bodies are reused.
				compared <- [2]comparator.Response{keepResponse(p), keepResponse(s)}
				return comparator.Result{Equal: p.Status == s.Status && reflect.DeepEqual(p.Header, s.Header) && bytes.Equal(p.Body, s.Body)}
			})),
		}
		if shadowMethod {
			opts = append(opts, middleware.WithMethods(method))
		}
		if withPrimary {
			opts = append(opts, middleware.WithStart(middleware.StartWithPrimary))
		}
		s := middleware.New(opts...)
		wrapped := httptest.NewRecorder()
		s.Handler(handler).ServeHTTP(wrapped, newRequest())
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Close(ctx); err != nil {
			t.Fatalf("Close: %v", err)
		}

		// The user's response is the bare handler's, byte for byte.
		if wrapped.Code != bare.Code || !bytes.Equal(wrapped.Body.Bytes(), bare.Body.Bytes()) ||
			wrapped.Flushed != bare.Flushed || !reflect.DeepEqual(wrapped.Header(), bare.Header()) ||
			!reflect.DeepEqual(wrapped.Result().Header, bare.Result().Header) {
			t.Fatalf("user got %d %q flushed=%v %v, bare handler sends %d %q flushed=%v %v",
				wrapped.Code, wrapped.Body.Bytes(), wrapped.Flushed, wrapped.Result().Header,
				bare.Code, bare.Body.Bytes(), bare.Flushed, bare.Result().Header)
		}
		// The primary saw the request the bare handler saw, and the shadow, if
		// it ran, the same; with StartWithPrimary it may have looked first.
		var primaryView, shadowView *requestView
		for len(views) > 0 {
			v := <-views
			if v.shadow {
				shadowView = &v
			} else {
				primaryView = &v
			}
		}
		if primaryView == nil || !reflect.DeepEqual(*primaryView, bareView) {
			t.Fatalf("primary saw %+v, bare handler %+v", primaryView, bareView)
		}
		if shadowView != nil {
			want := bareView
			want.shadow = true
			if !reflect.DeepEqual(*shadowView, want) {
				t.Fatalf("shadow saw %+v, want the primary's request %+v", *shadowView, want)
			}
		}

		var ev telemetry.Event
		select {
		case ev = <-rec.events:
		default:
			if shadowMethod || method == http.MethodGet || method == http.MethodHead {
				t.Fatalf("a sampled %s request recorded no event", method)
			}
			return // not shadowed: the user's response is all there is
		}

		switch {
		case ev.Outcome == telemetry.Match:
			got := <-compared
			p := got[0]
			if p.Status != wrapped.Code {
				t.Fatalf("comparator got primary status %d, user got %d", p.Status, wrapped.Code)
			}
			userBody := wrapped.Body.Bytes()
			if sent := wrapped.Result().Header; len(sent["Content-Encoding"]) > 0 && len(p.Header["Content-Encoding"]) == 0 {
				// The middleware decoded a gzip body for the comparator.
				zr, err := gzip.NewReader(bytes.NewReader(userBody))
				if err != nil {
					t.Fatalf("the comparator got a decoded body, but the user's does not decode: %v", err)
				}
				if userBody, err = io.ReadAll(zr); err != nil {
					t.Fatalf("the comparator got a decoded body, but the user's does not decode: %v", err)
				}
			}
			if method == http.MethodHead {
				userBody = nil // a real server sends no body to HEAD; the recorder keeps it
			}
			if bodyAllowed(p.Status) && !bytes.Equal(p.Body, userBody) {
				t.Fatalf("comparator got primary body %q, user got %q", p.Body, userBody)
			}
		case ev.Outcome == telemetry.Mismatch:
			got := <-compared
			t.Fatalf("the same handler answered differently as primary and shadow:\nprimary %d %v %q\nshadow  %d %v %q",
				got[0].Status, got[0].Header, got[0].Body, got[1].Status, got[1].Header, got[1].Body)
		case ev.Outcome == telemetry.Skipped && ev.Reason == telemetry.ReasonPrimaryFailed:
			if wrapped.Code < 500 {
				t.Fatalf("skipped as primary_failed, but the user got %d", wrapped.Code)
			}
			if shadowView != nil && !withPrimary {
				t.Fatal("a shadow ran after a failed primary")
			}
		case ev.Outcome == telemetry.Skipped && ev.Reason == telemetry.ReasonBodyTooLarge:
			if wrapped.Body.Len() <= fuzzCap && !bytes.Contains(bytes.ToLower([]byte(wrapped.Header().Get("Content-Encoding"))), []byte("gzip")) {
				t.Fatalf("skipped as body_too_large with a %d-byte body", wrapped.Body.Len())
			}
		case ev.Outcome == telemetry.Skipped && ev.Reason == telemetry.ReasonRequestTooLarge:
			if len(body) <= fuzzCap {
				t.Fatalf("skipped as request_too_large with a %d-byte request body", len(body))
			}
		case ev.Outcome == telemetry.Skipped && ev.Reason == telemetry.ReasonCompareFailed:
			if ev.Err == nil {
				t.Fatal("compare_failed without an error")
			}
		default:
			t.Fatalf("outcome %s/%s (err %v) for a handler that answers the same each time", ev.Outcome, ev.Reason, ev.Err)
		}
	})
}

// requestView is what a handler saw of its request.
type requestView struct {
	shadow        bool
	method, url   string
	host          string
	header        http.Header
	body          string
	contentLength int64
}

// fuzzHeaders are the response headers a script may set.
var fuzzHeaders = []string{"Content-Type", "Cache-Control", "Content-Encoding", "X-A", "X-B", "Set-Cookie", "Etag", "Vary"}

// scripted returns a handler that reports its request to views and then
// plays script: each byte picks an operation, the following bytes are its
// arguments. It answers the same to the same request every time.
func scripted(script []byte, views chan<- requestView) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		views <- requestView{
			shadow: backends.IsShadow(r.Context()), method: r.Method, url: r.URL.String(), host: r.Host,
			header: r.Header.Clone(), body: string(body), contentLength: r.ContentLength,
		}
		i := 0
		next := func() byte {
			if i >= len(script) {
				return 0
			}
			i++
			return script[i-1]
		}
		take := func(n int) []byte {
			n = min(n, len(script)-i)
			b := script[i : i+n]
			i += n
			return b
		}
		for i < len(script) {
			switch next() % 6 {
			case 0: // set a header: name index, length, value
				name := fuzzHeaders[int(next())%len(fuzzHeaders)]
				w.Header().Set(name, string(take(int(next()%32))))
			case 1: // WriteHeader with a status from 200 to 599
				w.WriteHeader(200 + int(next())*400/256)
			case 2: // write a chunk: length, bytes
				w.Write(take(int(next())))
			case 3:
				http.NewResponseController(w).Flush()
			case 4: // delete a header
				w.Header().Del(fuzzHeaders[int(next())%len(fuzzHeaders)])
			case 5: // add a value to a header with many
				w.Header().Add("X-Multi", string(take(int(next()%8))))
			}
		}
	})
}

// The operations of a script, for seeds.

func script(ops ...[]byte) []byte { return bytes.Join(ops, nil) }

func setHeader(name, value string) []byte {
	return append([]byte{0, byte(slices.Index(fuzzHeaders, name)), byte(len(value))}, value...)
}

// status encodes code, which must be one the script's mapping reaches.
func status(code int) []byte {
	for b := range 256 {
		if 200+b*400/256 == code {
			return []byte{1, byte(b)}
		}
	}
	panic("no script byte for status " + strconv.Itoa(code))
}

func write(s string) []byte { return append([]byte{2, byte(len(s))}, s...) }

func flush() []byte { return []byte{3} }

func deleteHeader(name string) []byte { return []byte{4, byte(slices.Index(fuzzHeaders, name))} }

func addHeader(value string) []byte { return append([]byte{5, byte(len(value))}, value...) }

// parseHeader reads "Name: value" lines into a header, as they come.
func parseHeader(b []byte) http.Header {
	h := http.Header{}
	for line := range bytes.SplitSeq(b, []byte("\n")) {
		if name, value, ok := bytes.Cut(line, []byte(":")); ok && len(name) > 0 {
			h.Add(string(name), string(bytes.TrimSpace(value)))
		}
	}
	return h
}

func bodyAllowed(status int) bool {
	return status != http.StatusNoContent && status != http.StatusNotModified && (status < 100 || status >= 200)
}

// keepResponse copies a response a comparator was given, to look at it
// after Compare has returned.
func keepResponse(r comparator.Response) comparator.Response {
	r.Header = r.Header.Clone()
	r.Body = bytes.Clone(r.Body)
	return r
}
