package load

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Replayer is a DynamoDB stand-in that costs almost no CPU: while recording
// it passes each request on to a real DynamoDB-API server (dynalite) and
// keeps the answer; while replaying it answers a request it has seen with
// the recorded answer after a fixed delay, without asking the server. With
// it, a load run measures the client work of the shadow reads (signing,
// serialisation, HTTP) and the library, not dynalite's CPU on the same
// machine.
//
// Requests are matched on their operation (the X-Amz-Target header) and
// their JSON body with object keys sorted, because the SDK writes the keys
// of a map (such as an item key) in random order. A request that was not
// recorded is passed on and recorded even while replaying, and counted as a
// miss.
//
// A Replayer is an http.Handler and safe for concurrent use.
type Replayer struct {
	upstream string // scheme://host:port of the real server
	delay    time.Duration
	client   *http.Client

	replaying atomic.Bool
	mu        sync.RWMutex
	answers   map[string]*answer

	hits, misses atomic.Int64
}

// answer is one recorded response.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// ReplayStats counts what a [Replayer] did.
type ReplayStats struct {
	Recorded int   // distinct requests with an answer
	Hits     int64 // requests answered from the recording while replaying
	Misses   int64 // requests passed on while replaying: not recorded before
}

// NewReplayer returns a Replayer, recording, in front of upstream
// (http://host:port), whose answers it replays after delay. client sends
// the requests passed on; nil means a client of its own.
func NewReplayer(upstream string, delay time.Duration, client *http.Client) *Replayer {
	if delay < 0 {
		panic(fmt.Sprintf("load: NewReplayer: negative delay %v; use 0 for none", delay))
	}
	if client == nil {
		client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 30 * time.Second}
	}
	return &Replayer{upstream: strings.TrimRight(upstream, "/"), delay: delay, client: client, answers: map[string]*answer{}}
}

// Close closes the idle connections of the HTTP client that passes
// requests on, and with them its goroutines; requests in flight finish.
func (r *Replayer) Close() { r.client.CloseIdleConnections() }

// Replay switches between recording (false, the start) and replaying.
func (r *Replayer) Replay(on bool) { r.replaying.Store(on) }

// Stats returns the counts so far.
func (r *Replayer) Stats() ReplayStats {
	r.mu.RLock()
	n := len(r.answers)
	r.mu.RUnlock()
	return ReplayStats{Recorded: n, Hits: r.hits.Load(), Misses: r.misses.Load()}
}

// ServeHTTP answers one DynamoDB API request.
func (r *Replayer) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		http.Error(w, "load: Replayer: reading the request: "+err.Error(), http.StatusBadRequest)
		return
	}
	key := requestKey(req.Header.Get("X-Amz-Target"), body)
	if r.replaying.Load() {
		r.mu.RLock()
		a := r.answers[key]
		r.mu.RUnlock()
		if a != nil {
			r.hits.Add(1)
			if !wait(req.Context(), r.delay) {
				return
			}
			a.write(w)
			return
		}
		r.misses.Add(1)
	}
	a, err := r.forward(req, body)
	if err != nil {
		http.Error(w, "load: Replayer: "+err.Error(), http.StatusBadGateway)
		return
	}
	r.mu.Lock()
	r.answers[key] = a
	r.mu.Unlock()
	a.write(w)
}

// forward asks the real server and reads its whole answer.
func (r *Replayer) forward(req *http.Request, body []byte) (*answer, error) {
	out, err := http.NewRequestWithContext(req.Context(), req.Method, r.upstream+req.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	out.Header = req.Header.Clone()
	resp, err := r.client.Do(out)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	respBody, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	header := resp.Header.Clone()
	header.Del("Content-Length") // written again from the body
	header.Del("Date")
	header.Del("Connection")
	return &answer{status: resp.StatusCode, header: header, body: respBody}, nil
}

func (a *answer) write(w http.ResponseWriter) {
	h := w.Header()
	for k, v := range a.header {
		h[k] = v
	}
	h.Set("Content-Length", fmt.Sprint(len(a.body)))
	w.WriteHeader(a.status)
	w.Write(a.body)
}

// requestKey is the operation and the body with object keys sorted;
// a body that is not JSON is used as it is.
func requestKey(target string, body []byte) string {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err == nil {
		if canonical, err := json.Marshal(v); err == nil {
			body = canonical
		}
	}
	return target + "\n" + string(body)
}

// wait waits for d unless ctx ends first; it reports whether d passed.
func wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
