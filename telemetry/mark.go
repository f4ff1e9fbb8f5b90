package telemetry

import (
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// markMinInterval is how soon after a mark the mark endpoint sets a new one:
// a POST within it returns the existing mark, so retries and double clicks
// are idempotent and a client in a loop cannot keep the figure at zero.
const markMinInterval = 10 * time.Second

// marker holds the latest mark.
type marker struct {
	mu sync.Mutex
	at time.Time
}

// Mark starts the since-mark readiness figure of every route and direction
// afresh, for "I deployed a fix": from now on [RouteReadiness].SinceMark
// counts only later events. It returns the time of the mark. The cumulative
// and windowed figures are unchanged.
func (o *OTel) Mark() time.Time {
	o.mark.mu.Lock()
	defer o.mark.mu.Unlock()
	return o.setMark(o.cfg.now())
}

// setMark resets every flow's since-mark counts. o.mark.mu must be held, so
// two marks cannot interleave their resets.
func (o *OTel) setMark(now time.Time) time.Time {
	o.mark.at = now
	for _, r := range o.routes.all() {
		r.mu.Lock()
		for _, f := range r.flows {
			f.sinceMark = verdictCounts{}
		}
		r.mu.Unlock()
	}
	return now
}

// marked returns the time of the latest mark, zero without one.
func (o *OTel) marked() time.Time {
	o.mark.mu.Lock()
	defer o.mark.mu.Unlock()
	return o.mark.at
}

// MarkResponse is what [OTel.MarkHandler] answers.
type MarkResponse struct {
	// Mark is the time of the mark in effect.
	Mark time.Time `json:"mark"`
	// New reports whether this request set it; false when a mark less than
	// ten seconds old was kept.
	New bool `json:"new"`
}

// MarkHandler returns a handler that sets a mark ([OTel.Mark]) on POST and
// answers with a [MarkResponse] in JSON. Other methods get 405. A POST less
// than ten seconds after the latest mark keeps that mark, so the endpoint is
// idempotent under retries and cannot be used to reset the figure in a loop.
// Mount it beside the report on an internal address:
//
//	mux.Handle("GET /debug/shadowread", rec.ReportHandler())
//	mux.Handle("POST /debug/shadowread/mark", rec.MarkHandler())
func (o *OTel) MarkHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed: POST sets the mark", http.StatusMethodNotAllowed)
			return
		}
		o.mark.mu.Lock()
		now := o.cfg.now()
		res := MarkResponse{Mark: o.mark.at}
		if res.Mark.IsZero() || now.Sub(res.Mark) >= markMinInterval {
			res = MarkResponse{Mark: o.setMark(now), New: true}
		}
		o.mark.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_ = json.NewEncoder(w).Encode(res)
	})
}
