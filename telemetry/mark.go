package telemetry

import (
	"net/http"
	"time"

	"github.com/shadowread/shadowread/telemetry/report"
)

// markMinInterval is how soon after a mark the mark endpoint sets a new one:
// a POST within it returns the existing mark, so retries and double clicks
// are idempotent and a client in a loop cannot keep the figure at zero.
const markMinInterval = 10 * time.Second

// Mark starts the since-mark readiness figure of every route and direction
// afresh, for "I deployed a fix": from now on [report.RouteReadiness].SinceMark
// counts only later events. It returns the time of the mark. The cumulative
// and windowed figures are unchanged.
func (o *OTel) Mark() time.Time {
	at, _ := o.track.SetMark(0)
	return at
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
	return report.MarkHandler(func() (time.Time, bool) { return o.track.SetMark(markMinInterval) })
}
