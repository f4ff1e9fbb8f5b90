package app

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Limits of every admin action mounted with [App.HandleAction].
const (
	// ActionMaxBody is the largest request body an action accepts, in bytes.
	ActionMaxBody = 64 << 10
	// ActionBurst is how many calls of one action are accepted at once.
	ActionBurst = 5
	// ActionRefill is how often one more call of an action is allowed
	// once the burst is spent: a readiness mark or a re-verification run is
	// an operator's act, not a request stream.
	ActionRefill = 10 * time.Second
)

// newAdminMux returns the admin listener's routes: the metrics, the report
// page and the health check. Actions are added by HandleAction.
func newAdminMux(metrics, report http.Handler) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("GET "+PathMetrics, metrics)
	mux.Handle("GET "+PathReport, report)
	mux.HandleFunc("GET "+PathHealth, health)
	return mux
}

func health(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

// HandleAction mounts h at path on the admin handler ([App.Admin]) as an
// action: an endpoint that changes state or makes the service read its
// stores. An action accepts only POST (other methods get 405), a body of
// at most [ActionMaxBody] bytes (413 beyond) and [ActionBurst] calls at
// once, then one per [ActionRefill] (429 with Retry-After beyond). It
// panics when path is already mounted, as http.ServeMux does.
func (a *App) HandleAction(path string, h http.Handler) {
	// The mux answers other methods with 405 and an Allow header.
	a.admin.Handle("POST "+path, limitAction(h))
}

// limitAction bounds h's body size and call rate.
func limitAction(h http.Handler) http.Handler {
	bucket := &tokenBucket{tokens: ActionBurst, last: time.Now()}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > ActionMaxBody {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		if wait := bucket.take(); wait > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
			http.Error(w, "too many calls of this action", http.StatusTooManyRequests)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, ActionMaxBody)
		h.ServeHTTP(w, r)
	})
}

// tokenBucket allows ActionBurst calls at once and one more per
// ActionRefill.
type tokenBucket struct {
	mu     sync.Mutex
	tokens float64
	last   time.Time
}

// take takes a token and returns 0, or returns how long until one is free.
func (b *tokenBucket) take() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	b.tokens = min(ActionBurst, b.tokens+float64(now.Sub(b.last))/float64(ActionRefill))
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return 0
	}
	return time.Duration((1 - b.tokens) * float64(ActionRefill))
}
