package telemetry

import (
	"net/http"
	"sync"
	"time"

	"github.com/shadowread/shadowread/telemetry/internal/verdict"
	"github.com/shadowread/shadowread/telemetry/report"
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
// afresh, for "I deployed a fix": from now on [report.RouteReadiness].SinceMark
// counts only later events. It returns the time of the mark. The cumulative
// and windowed figures are unchanged.
func (o *OTel) Mark() time.Time {
	at, _ := o.track.setMark(0)
	return at
}

// setMark sets a mark now, unless the latest is less than minInterval old,
// and returns the mark in effect and whether it is new. Setting a mark
// resets every flow's since-mark counts, under t.mark.mu so that two marks
// cannot interleave their resets.
func (t *tracker) setMark(minInterval time.Duration) (time.Time, bool) {
	t.mark.mu.Lock()
	defer t.mark.mu.Unlock()
	now := t.cfg.now()
	if !t.mark.at.IsZero() && now.Sub(t.mark.at) < minInterval {
		return t.mark.at, false
	}
	t.mark.at = now
	for _, r := range t.routes.all() {
		r.mu.Lock()
		for _, f := range r.flows {
			f.sinceMark = verdict.Counts{}
		}
		r.mu.Unlock()
	}
	return now, true
}

// marked returns the time of the latest mark, zero without one.
func (t *tracker) marked() time.Time {
	t.mark.mu.Lock()
	defer t.mark.mu.Unlock()
	return t.mark.at
}

// MarkHandler returns a handler that sets a mark ([OTel.Mark]) on POST and
// answers with a [report.MarkResponse] in JSON. Other methods get 405. A POST less
// than ten seconds after the latest mark keeps that mark, so the endpoint is
// idempotent under retries and cannot be used to reset the figure in a loop.
// Mount it beside the report on an internal address:
//
//	mux.Handle("GET /debug/shadowread", rec.ReportHandler())
//	mux.Handle("POST /debug/shadowread/mark", rec.MarkHandler())
func (o *OTel) MarkHandler() http.Handler {
	return report.MarkHandler(func() (time.Time, bool) { return o.track.setMark(markMinInterval) })
}
