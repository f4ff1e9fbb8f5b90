package load

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// Generator sends the requests of a [Schedule] to a target, open loop: each
// request is sent when it is due, in a goroutine of its own, whether or not
// earlier requests have been answered. Latency runs from the due time to the
// end of the response body.
type Generator struct {
	// Client sends the requests; its Timeout bounds each one.
	Client *http.Client
	// MaxInFlight bounds the requests waiting for an answer. A request due
	// while that many are in flight is not sent and counts as overflow: the
	// generator never waits, which would hide the very latency it measures.
	MaxInFlight int
}

// Result is what one run measured.
type Result struct {
	// Latency holds every answered request, whatever its status.
	Latency Histogram
	// Lateness is how long after its due time each request was handed to
	// the client: the generator's own delay, which Latency includes. A
	// large value means the generator, not the target, fell behind.
	Lateness Histogram
	// FromSend holds every answered request's latency from the moment it
	// was handed to the client: Latency less the generator's own lateness,
	// request by request. The target cannot delay a send (the loop is
	// open), so the difference is the generator's noise alone.
	FromSend Histogram
	Statuses map[int]int // answered requests by status code
	Errors   int         // requests that failed without a complete answer
	Overflow int         // requests not sent: MaxInFlight were in flight
	// Elapsed runs from the start to the last answer.
	Elapsed     time.Duration
	MaxInFlight int // the most requests in flight at once
}

// Answered returns the number of requests that got a complete response.
func (r *Result) Answered() int {
	n := 0
	for _, c := range r.Statuses {
		n += c
	}
	return n
}

// Failed counts the requests that did not get a successful answer: errors,
// overflow and responses with status 5xx.
func (r *Result) Failed() int {
	n := r.Errors + r.Overflow
	for code, c := range r.Statuses {
		if code >= 500 {
			n += c
		}
	}
	return n
}

// Throughput returns the answered requests per second of elapsed time.
func (r *Result) Throughput() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Answered()) / r.Elapsed.Seconds()
}

// Merge adds other's counts and histograms to r; Elapsed adds up, so the
// merged throughput is that of the runs back to back.
func (r *Result) Merge(other *Result) {
	r.Latency.Merge(&other.Latency)
	r.Lateness.Merge(&other.Lateness)
	r.FromSend.Merge(&other.FromSend)
	if r.Statuses == nil {
		r.Statuses = make(map[int]int)
	}
	for code, c := range other.Statuses {
		r.Statuses[code] += c
	}
	r.Errors += other.Errors
	r.Overflow += other.Overflow
	r.Elapsed += other.Elapsed
	r.MaxInFlight = max(r.MaxInFlight, other.MaxInFlight)
}

// Run sends the first s.Count() of reqs to base (scheme://host:port) on
// schedule s and returns once every request sent has been answered or has
// failed. Cancelling ctx stops sending and cancels the requests in flight.
// It panics if reqs is shorter than the schedule.
func (g *Generator) Run(ctx context.Context, base string, s Schedule, reqs []Request) Result {
	n := s.Count()
	if len(reqs) < n {
		panic(fmt.Sprintf("load: Generator.Run: %d requests for a schedule of %d", len(reqs), n))
	}
	if g.MaxInFlight < 1 {
		panic("load: Generator.MaxInFlight must be at least 1, such as 4096")
	}
	run := &runState{res: Result{Statuses: make(map[int]int)}, slots: make(chan struct{}, g.MaxInFlight)}
	var wg sync.WaitGroup
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()

	start := time.Now()
dispatch:
	for i := range n {
		due := start.Add(s.Due(i))
		if wait := time.Until(due); wait > 0 {
			timer.Reset(wait)
			select {
			case <-timer.C:
			case <-ctx.Done():
				break dispatch
			}
		}
		select {
		case run.slots <- struct{}{}:
		default:
			run.overflow()
			continue
		}
		run.dispatched(len(run.slots))
		wg.Go(func() {
			defer func() { <-run.slots }()
			g.send(ctx, base, reqs[i], due, run)
		})
	}
	wg.Wait()
	run.res.Elapsed = time.Since(start)
	return run.res
}

// send sends one request and records its outcome: its lateness is taken
// at the last moment before the client gets it, so that it includes the
// start of the request's goroutine.
func (g *Generator) send(ctx context.Context, base string, r Request, due time.Time, run *runState) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+r.Path, nil)
	if err != nil {
		run.failed()
		return
	}
	for k, v := range r.Header {
		req.Header[k] = v
	}
	sent := time.Now()
	run.sent(sent.Sub(due))
	resp, err := g.Client.Do(req)
	if err != nil {
		run.failed()
		return
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		run.failed()
		return
	}
	run.answered(resp.StatusCode, time.Since(due), time.Since(sent))
}

// runState is a run's result while requests are still in flight.
type runState struct {
	mu    sync.Mutex
	res   Result
	slots chan struct{}
}

func (s *runState) dispatched(inFlight int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.res.MaxInFlight = max(s.res.MaxInFlight, inFlight)
}

func (s *runState) sent(late time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.res.Lateness.Record(late)
}

func (s *runState) answered(status int, latency, fromSend time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.res.Statuses[status]++
	s.res.Latency.Record(latency)
	s.res.FromSend.Record(fromSend)
}

func (s *runState) failed() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.res.Errors++
}

func (s *runState) overflow() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.res.Overflow++
}

// Saturate sends reqs closed loop: workers goroutines each send one request
// after the other, for d. The answered requests per second of the result
// are the target's capacity at that concurrency, from which an open-loop
// rate is chosen; its latencies, measured from each send, are not
// comparable with those of Run. It panics if reqs is empty.
func (g *Generator) Saturate(ctx context.Context, base string, reqs []Request, workers int, d time.Duration) Result {
	if len(reqs) == 0 || workers < 1 {
		panic("load: Generator.Saturate needs requests and at least one worker")
	}
	run := &runState{res: Result{Statuses: make(map[int]int)}}
	var (
		wg   sync.WaitGroup
		next sync.Mutex
		i    int
	)
	take := func() Request {
		next.Lock()
		defer next.Unlock()
		r := reqs[i%len(reqs)]
		i++
		return r
	}
	start := time.Now()
	deadline := start.Add(d)
	for range workers {
		wg.Go(func() {
			for ctx.Err() == nil && time.Now().Before(deadline) {
				g.send(ctx, base, take(), time.Now(), run)
			}
		})
	}
	wg.Wait()
	run.res.Elapsed = time.Since(start)
	run.res.MaxInFlight = workers
	return run.res
}
