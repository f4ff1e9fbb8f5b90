package load

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// handlerTransport serves requests in-process, so that generator tests can
// run in a synctest bubble, where time is virtual and exact.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

func numbered(n int) []Request {
	reqs := make([]Request, n)
	for i := range reqs {
		reqs[i] = Request{Route: "n", Path: fmt.Sprintf("/%d", i)}
	}
	return reqs
}

// TestRunMeasuresFromDueTime is the coordinated-omission check: the first
// request stalls a target that serves one request at a time, and the
// requests due meanwhile must report the time they waited, not just their
// own service time.
func TestRunMeasuresFromDueTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lock := make(chan struct{}, 1) // a one-at-a-time server
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			lock <- struct{}{}
			defer func() { <-lock }()
			if r.URL.Path == "/0" {
				time.Sleep(50 * time.Millisecond)
			}
		})
		g := &Generator{Client: &http.Client{Transport: handlerTransport{h}}, MaxInFlight: 100}
		// Due at 0, 10, 20, 30 and 40 ms; all answered at 50 ms.
		res := g.Run(context.Background(), "http://target", NewSchedule(100, 50*time.Millisecond), numbered(5))

		if res.Answered() != 5 || res.Failed() != 0 {
			t.Fatalf("answered %d, failed %d; want 5 and 0", res.Answered(), res.Failed())
		}
		// Latencies 50, 40, 30, 20, 10 ms. Timed from the send instead, they
		// would be 50, 0, 0, 0, 0: a mean of 10 ms.
		if got, want := res.Latency.Mean(), 30*time.Millisecond; got != want {
			t.Errorf("mean latency %v, want %v: latency must run from the due time", got, want)
		}
		if got := res.Latency.Max(); got != 50*time.Millisecond {
			t.Errorf("max latency %v, want 50ms", got)
		}
		if res.Lateness.Max() != 0 {
			t.Errorf("the generator sent a request %v late in virtual time, want on time", res.Lateness.Max())
		}
		// Sent on time, each request's latency from its send is its latency
		// from its due time.
		if res.FromSend.Count() != 5 || res.FromSend.Mean() != res.Latency.Mean() || res.FromSend.Max() != res.Latency.Max() {
			t.Errorf("from send: %d answers, mean %v, max %v; want 5 with the latency's mean %v and max %v",
				res.FromSend.Count(), res.FromSend.Mean(), res.FromSend.Max(), res.Latency.Mean(), res.Latency.Max())
		}
		if res.MaxInFlight != 5 || res.Elapsed != 50*time.Millisecond {
			t.Errorf("max in flight %d, elapsed %v; want 5 and 50ms", res.MaxInFlight, res.Elapsed)
		}
	})
}

// TestRunNeverWaits checks the open loop: with every slot busy, due
// requests are counted as overflow instead of being sent late.
func TestRunNeverWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { time.Sleep(100 * time.Millisecond) })
		g := &Generator{Client: &http.Client{Transport: handlerTransport{h}}, MaxInFlight: 1}
		res := g.Run(context.Background(), "http://target", NewSchedule(100, 50*time.Millisecond), numbered(5))
		if res.Answered() != 1 || res.Overflow != 4 || res.Failed() != 4 {
			t.Errorf("answered %d, overflow %d, failed %d; want 1, 4 and 4", res.Answered(), res.Overflow, res.Failed())
		}
		if res.Lateness.Max() != 0 {
			t.Errorf("a request was sent %v late, want none: the generator waited for a slot", res.Lateness.Max())
		}
	})
}

func TestRunStopsOnCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		h := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
		g := &Generator{Client: &http.Client{Transport: handlerTransport{h}}, MaxInFlight: 10}
		time.AfterFunc(25*time.Millisecond, cancel)
		// Due at 0, 10, 20, 30 and 40 ms: the last two come after the cancel.
		res := g.Run(ctx, "http://target", NewSchedule(100, 50*time.Millisecond), numbered(5))
		if res.Answered() != 3 {
			t.Errorf("answered %d, want the 3 requests due before the cancel", res.Answered())
		}
	})
}

func TestSaturate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { time.Sleep(time.Millisecond) })
		g := &Generator{Client: &http.Client{Transport: handlerTransport{h}}, MaxInFlight: 1}
		res := g.Saturate(context.Background(), "http://target", numbered(3), 4, 100*time.Millisecond)
		// 4 workers, each answered every millisecond for 100 ms.
		if res.Answered() != 400 || res.Throughput() != 4000 {
			t.Errorf("answered %d at %.0f/s, want 400 at 4000/s", res.Answered(), res.Throughput())
		}
	})
}

// TestRunOverLoopback runs a short schedule against a real server.
func TestRunOverLoopback(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Customer-Id") == "" {
			http.Error(w, "no customer", http.StatusBadRequest)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/missing/") {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()
	transport := &http.Transport{}
	defer transport.CloseIdleConnections()

	mix := Mix{
		{Name: "found", Weight: 3, New: func(rng *rand.Rand) Request {
			return Request{Path: fmt.Sprintf("/found/%d", rng.IntN(10)), Header: http.Header{"X-Customer-Id": {"7"}}}
		}},
		{Name: "missing", Weight: 1, New: func(rng *rand.Rand) Request {
			return Request{Path: "/missing/1", Header: http.Header{"X-Customer-Id": {"7"}}}
		}},
	}
	reqs := mix.Requests(1, 100)
	want := map[int]int{}
	for _, r := range reqs {
		if r.Route == "found" {
			want[http.StatusOK]++
		} else {
			want[http.StatusNotFound]++
		}
	}
	g := &Generator{Client: &http.Client{Transport: transport, Timeout: 10 * time.Second}, MaxInFlight: 100}
	res := g.Run(context.Background(), srv.URL, NewSchedule(1000, 100*time.Millisecond), reqs)
	if res.Errors != 0 || res.Overflow != 0 {
		t.Fatalf("errors %d, overflow %d; want none", res.Errors, res.Overflow)
	}
	for code, n := range want {
		if res.Statuses[code] != n {
			t.Errorf("%d responses with status %d, want %d; all: %v", res.Statuses[code], code, n, res.Statuses)
		}
	}
	if res.Latency.Count() != 100 {
		t.Errorf("%d latencies recorded, want 100", res.Latency.Count())
	}
}

func TestResultMerge(t *testing.T) {
	a := Result{Statuses: map[int]int{200: 3}, Errors: 1, Elapsed: time.Second, MaxInFlight: 2}
	b := Result{Statuses: map[int]int{200: 1, 503: 2}, Overflow: 1, Elapsed: time.Second, MaxInFlight: 5}
	for _, d := range []time.Duration{1, 2, 3} {
		a.Latency.Record(d)
	}
	b.Latency.Record(4)
	var m Result
	m.Merge(&a)
	m.Merge(&b)
	if m.Answered() != 6 || m.Failed() != 4 || m.Throughput() != 3 || m.MaxInFlight != 5 || m.Latency.Count() != 4 {
		t.Errorf("merged: answered %d failed %d throughput %v max in flight %d latencies %d; want 6, 4 (1 error, 1 overflow, 2 5xx), 3/s, 5, 4",
			m.Answered(), m.Failed(), m.Throughput(), m.MaxInFlight, m.Latency.Count())
	}
}
