package middleware_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/middleware"
	"github.com/shadowread/shadowread/telemetry"
)

// catalogSeen is what a handler saw of a request.
type catalogSeen struct {
	target            backends.Name
	id, auth, cookie  string
	token, page, body string
	recheck           bool
}

// driftingCatalog is a chi service whose DynamoDB price differs while
// drift is set; it notes what each execution saw.
type driftingCatalog struct {
	drift atomic.Bool
	mu    sync.Mutex
	seen  []catalogSeen
}

func (c *driftingCatalog) handler(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	c.mu.Lock()
	c.seen = append(c.seen, catalogSeen{
		target: backends.Target(r.Context()), id: chi.URLParam(r, "id"),
		auth: r.Header.Get("Authorization"), cookie: r.Header.Get("Cookie"),
		token: r.URL.Query().Get("token"), page: r.URL.Query().Get("page"), body: string(body),
		recheck: middleware.IsRecheck(r.Context()),
	})
	c.mu.Unlock()
	price := "12.5"
	if c.drift.Load() && backends.Target(r.Context()) == backends.DynamoDB {
		price = "13.5"
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"id":%q,"price":%s,"secret":"card-4111"}`, chi.URLParam(r, "id"), price)
}

func (c *driftingCatalog) takeSeen() []catalogSeen {
	c.mu.Lock()
	defer c.mu.Unlock()
	seen := c.seen
	c.seen = nil
	return seen
}

func (c *driftingCatalog) serve(t *testing.T, s *middleware.Shadower, n int) http.Handler {
	t.Helper()
	r := chi.NewRouter()
	r.With(s.Handler).Post("/products/{id}", c.handler)
	for i := range n {
		req := httptest.NewRequest(http.MethodPost, fmt.Sprintf("/products/p%d?page=2&token=SECRET-QUERY", i%2), strings.NewReader(`{"q":"shirt"}`))
		req.Header.Set("Authorization", "Bearer SECRET-AUTH")
		req.Header.Set("Cookie", "session=SECRET-COOKIE")
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			t.Fatalf("user got %d", w.Code)
		}
	}
	return r
}

func newReverifyShadower(t *testing.T, rec telemetry.Recorder, opts ...middleware.Option) *middleware.Shadower {
	return newShadower(t, rec, append([]middleware.Option{
		middleware.WithComparator(comparator.JSON(comparator.ShowValues())),
		middleware.WithMethods(http.MethodPost),
	}, opts...)...)
}

func TestReverify(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cat := &driftingCatalog{}
		cat.drift.Store(true)
		rec := newTally()
		s := newReverifyShadower(t, rec)
		cat.serve(t, s, 10)
		synctest.Wait()
		time.Sleep(time.Second) // the re-checks confirm the drift
		synctest.Wait()
		if n := rec.count(telemetry.Mismatch); n != 10 {
			t.Fatalf("%d mismatches, want 10", n)
		}
		open := s.OpenSignatures()
		if len(open) != 1 || open[0].Route != "/products/{id}" || open[0].Requests != middleware.DefaultReverifySample {
			t.Fatalf("open signatures %+v, want one on /products/{id} with %d requests kept", open, middleware.DefaultReverifySample)
		}
		sig := open[0].Signature
		cat.takeSeen()

		report, err := s.Reverify(context.Background(), "/products/{id}", sig)
		if err != nil {
			t.Fatal(err)
		}
		if report.Requests != 3 || report.Mismatches != 3 || report.Fixed {
			t.Errorf("before the fix: %+v, want 3 requests, all still mismatching", report)
		}
		for _, res := range report.Results {
			if res.Signature != sig {
				t.Errorf("signature now %q, want %q: the same difference", res.Signature, sig)
			}
		}
		for _, seen := range cat.takeSeen() {
			if seen.auth != "" || seen.cookie != "" || seen.token != "" {
				t.Errorf("a re-run saw credentials %+v: they are not kept", seen)
			}
			if seen.page != "2" || seen.body != `{"q":"shirt"}` || (seen.id != "p0" && seen.id != "p1") || !seen.recheck {
				t.Errorf("a re-run saw %+v, want the request as the handler saw it: route parameter, query, body, IsRecheck", seen)
			}
		}

		cat.drift.Store(false) // the data repair
		report, err = s.Reverify(context.Background(), "/products/{id}", sig)
		if err != nil {
			t.Fatal(err)
		}
		if report.Requests != 3 || report.Matches != 3 || !report.Fixed {
			t.Errorf("after the fix: %+v, want 3 requests, all matching, fixed", report)
		}
		if open := s.OpenSignatures(); len(open) != 0 {
			t.Errorf("open signatures after the fix: %+v, want none", open)
		}
		if _, err := s.Reverify(context.Background(), "/products/{id}", sig); !errors.Is(err, middleware.ErrNotRecorded) {
			t.Errorf("re-verifying a fixed signature: %v, want ErrNotRecorded", err)
		}
	})
}

func TestReverifyRefusals(t *testing.T) {
	tests := []struct {
		name   string
		opts   []middleware.Option
		close  bool
		auth   bool // the handler needs the Authorization header
		want   error
		failed bool
		reason string
	}{
		{name: "kept none", opts: []middleware.Option{middleware.WithReverifySample(0)}, want: middleware.ErrNotRecorded,
			reason: "WithReverifySample(0) keeps no request"},
		{name: "closed", close: true, want: middleware.ErrClosed,
			reason: "a closed shadower runs nothing"},
		{name: "needs a credential", auth: true, failed: true,
			reason: "a re-run without the credential answers 401 on both sides, which proves nothing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				cat := &driftingCatalog{}
				cat.drift.Store(true)
				s := newReverifyShadower(t, newTally(), append(tt.opts, middleware.WithRecheck(0))...)
				h := http.HandlerFunc(cat.handler)
				if tt.auth {
					h = func(w http.ResponseWriter, r *http.Request) {
						if r.Header.Get("Authorization") == "" {
							http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
							return
						}
						cat.handler(w, r)
					}
				}
				r := chi.NewRouter()
				r.With(s.Handler).Post("/products/{id}", h)
				req := httptest.NewRequest(http.MethodPost, "/products/p1", nil)
				req.Header.Set("Authorization", "Bearer SECRET-AUTH")
				r.ServeHTTP(httptest.NewRecorder(), req)
				synctest.Wait()
				sig := comparator.Result{Diffs: []comparator.Diff{{Path: "price", Kind: comparator.ValueChanged}}}.Signature()
				if tt.close {
					s.Close(context.Background())
				}
				report, err := s.Reverify(context.Background(), "/products/{id}", sig)
				if !errors.Is(err, tt.want) {
					t.Fatalf("Reverify: %v, want %v: %s", err, tt.want, tt.reason)
				}
				if tt.failed && (report.Failed != 1 || report.Fixed) {
					t.Errorf("report %+v, want one failed re-run and not fixed: %s", report, tt.reason)
				}
			})
		})
	}
}

func TestReverifyHandler(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cat := &driftingCatalog{}
		cat.drift.Store(true)
		s := newReverifyShadower(t, newTally(), middleware.WithRecheck(0))
		cat.serve(t, s, 2)
		synctest.Wait()
		sig := s.OpenSignatures()[0].Signature
		h := s.ReverifyHandler()
		post := func(form url.Values) *httptest.ResponseRecorder {
			req := httptest.NewRequest(http.MethodPost, "/debug/shadowread/reverify", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			return w
		}
		valid := url.Values{"route": {"/products/{id}"}, "signature": {sig}}

		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/debug/shadowread/reverify?"+valid.Encode(), nil))
		if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != http.MethodPost {
			t.Errorf("GET: %d Allow %q, want 405 and Allow: POST", w.Code, w.Header().Get("Allow"))
		}

		w = post(nil)
		var open []middleware.OpenSignature
		if err := json.Unmarshal(w.Body.Bytes(), &open); err != nil || w.Code != http.StatusOK || len(open) != 1 || open[0].Signature != sig {
			t.Errorf("POST without values: %d %s, want the open signature %s", w.Code, w.Body, sig)
		}
		if w := post(url.Values{"route": {"/products/{id}"}, "signature": {"0000000000000000"}}); w.Code != http.StatusNotFound {
			t.Errorf("unknown signature: %d, want 404", w.Code)
		}
		time.Sleep(middleware.ReverifyInterval)

		w = post(valid)
		var report middleware.ReverifyReport
		if err := json.Unmarshal(w.Body.Bytes(), &report); err != nil || w.Code != http.StatusOK || report.Mismatches != 2 {
			t.Errorf("POST: %d %s, want a report of 2 mismatches", w.Code, w.Body)
		}
		for _, secret := range []string{"card-4111", "12.5", "13.5", "SECRET"} {
			if strings.Contains(w.Body.String(), secret) {
				t.Errorf("the answer holds %q: values and requests never leave the process through it", secret)
			}
		}
		if !strings.Contains(w.Body.String(), `"path":"price"`) {
			t.Errorf("the answer %s does not name the differing path", w.Body)
		}

		if w := post(valid); w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" {
			t.Errorf("a second POST at once: %d Retry-After %q, want 429 with Retry-After", w.Code, w.Header().Get("Retry-After"))
		}
		time.Sleep(middleware.ReverifyInterval)
		if w := post(valid); w.Code != http.StatusOK {
			t.Errorf("a POST after the interval: %d, want 200", w.Code)
		}
	})
}
