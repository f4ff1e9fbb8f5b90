package middleware_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/middleware"
	"github.com/shadowread/shadowread/telemetry"
)

// numberedBody is the body of request n: n, then a filler of a size and a
// byte that depend on n (1 byte to 160 KB, across every size class of the
// reused memory), then n again.
func numberedBody(n int) []byte {
	size := 1 + n*n*7919%(160<<10)
	b := strconv.AppendInt(nil, int64(n), 10)
	b = append(b, '|')
	b = append(b, bytes.Repeat([]byte{byte('a' + n%26)}, size)...)
	b = append(b, '|')
	return strconv.AppendInt(b, int64(n), 10)
}

// TestReusedBodiesStayApart: the memory that holds captured bodies is
// reused from one request to the next. Many requests at once, each with
// its own body written in pieces, must each compare exactly their own two
// bodies: memory reused while a comparison still reads it, or shared by
// two captures, would change them.
func TestReusedBodiesStayApart(t *testing.T) {
	tests := []struct {
		name   string
		reason string
		start  middleware.Start
	}{
		{"after primary", "the shadow starts once the primary has returned", middleware.StartAfterPrimary},
		{"with primary", "the shadow runs while the primary writes", middleware.StartWithPrimary},
	}
	// ownBody says whether both bodies are the one their number names.
	ownBody := comparator.Func(func(p, s comparator.Response) comparator.Result {
		prefix, _, _ := bytes.Cut(p.Body, []byte("|"))
		n, err := strconv.Atoi(string(prefix))
		want := numberedBody(n)
		return comparator.Result{Equal: err == nil && bytes.Equal(p.Body, want) && bytes.Equal(s.Body, want)}
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const requests = 200
			rec := newTally()
			s := newShadower(t, rec, middleware.WithStart(tt.start), middleware.WithMaxConcurrent(requests),
				middleware.WithComparator(ownBody), middleware.WithTimeout(time.Minute))
			h := s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n, _ := strconv.Atoi(r.URL.Query().Get("n"))
				body := numberedBody(n)
				for len(body) > 0 {
					piece := body[:min(len(body), 1+len(body)/3)]
					w.Write(piece)
					body = body[len(piece):]
				}
			}))
			var wg sync.WaitGroup
			for n := range requests {
				wg.Go(func() {
					h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/p?n="+strconv.Itoa(n), nil))
				})
			}
			wg.Wait()
			rec.waitUntil(t, "every shadow recorded", func(outcomes map[string]int) bool {
				total := 0
				for _, c := range outcomes {
					total += c
				}
				return total == requests
			})
			if got := rec.count(telemetry.Match); got != requests {
				outcomes, _ := rec.snapshot()
				t.Errorf("%d of %d matched (%v), want all: each comparison must see its own bodies (%s)", got, requests, outcomes, tt.reason)
			}
		})
	}
}
