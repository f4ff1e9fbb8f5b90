package telemetry

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/shadowread/shadowread/comparator"
)

//go:embed report.gohtml
var reportTemplate string

// ReportHandler returns a handler that serves [OTel.Report] as a small,
// self-contained HTML page (no external assets), or as JSON for
// ?format=json or a request that accepts application/json but not HTML.
// Mount it on an internal address, for example at /debug/shadowread: it
// shows routes, diff paths and trace ids, though never diff values unless
// [WithDiffValues] is set.
func (o *OTel) ReportHandler() http.Handler {
	page := template.Must(template.New("report").Funcs(template.FuncMap{
		"pct":    formatRate,
		"dur":    formatDuration,
		"ts":     formatTime,
		"status": readinessBadge,
		"delta":  latencyDelta,
		"add":    func(a, b uint64) uint64 { return a + b },
		"window": formatWindow,
		"figure": formatFigure,
		"triage": triageBadge,
		"label":  func(o Outcome) string { return strings.ReplaceAll(string(o), "_", " ") },
		"bad": func(o Outcome) bool {
			return o == Mismatch || o == ShadowError || o == Timeout
		},
	}).Parse(reportTemplate))

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		report := o.Report()
		var body bytes.Buffer
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		if wantsJSON(r) {
			enc := json.NewEncoder(&body)
			enc.SetIndent("", "  ")
			if err := enc.Encode(report); err != nil {
				http.Error(w, "encoding the report failed", http.StatusInternalServerError)
				return
			}
			h.Set("Content-Type", "application/json")
		} else {
			// Rendered to a buffer first, so a failure is a clean 500.
			if err := page.Execute(&body, newReportPage(report)); err != nil {
				http.Error(w, "rendering the report failed", http.StatusInternalServerError)
				return
			}
			h.Set("Content-Type", "text/html; charset=utf-8")
			h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
		}
		_, _ = w.Write(body.Bytes())
	})
}

func wantsJSON(r *http.Request) bool {
	if f := r.URL.Query().Get("format"); f != "" {
		return f == "json"
	}
	accept := r.Header.Get("Accept")
	return strings.Contains(accept, "application/json") && !strings.Contains(accept, "text/html")
}

// formatRate shows a rate as a percentage with two significant digits.
func formatRate(r float64) string {
	switch {
	case r == 0:
		return "0%"
	case r >= 0.1:
		return fmt.Sprintf("%.1f%%", 100*r)
	}
	return fmt.Sprintf("%.2g%%", 100*r)
}

// formatDuration shows a latency with three significant digits, "–" for none.
func formatDuration(d time.Duration) string {
	switch {
	case d == 0:
		return "–"
	case d < time.Millisecond:
		return fmt.Sprintf("%.3g µs", float64(d)/float64(time.Microsecond))
	case d < time.Second:
		return fmt.Sprintf("%.3g ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.3g s", d.Seconds())
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// readinessBadge renders a route's readiness as a coloured badge.
func readinessBadge(rr RouteReadiness, minSamples uint64) template.HTML {
	switch {
	case rr.Ready:
		return `<span class="badge ready">ready</span>`
	case rr.Samples < minSamples:
		return template.HTML(fmt.Sprintf(`<span class="badge collecting">collecting %d/%d</span>`, rr.Samples, minSamples))
	}
	return `<span class="badge notready">not ready</span>`
}

// latencyDelta shows how much faster or slower the shadow is than the primary.
func latencyDelta(primary, shadow time.Duration) template.HTML {
	if primary == 0 || shadow == 0 {
		return ""
	}
	change := (float64(shadow) - float64(primary)) / float64(primary)
	class := "slower"
	if change <= 0 {
		class = "faster"
	}
	return template.HTML(fmt.Sprintf(`<span class="%s">%+.0f%%</span>`, class, 100*change))
}

// reportPage is what the HTML page renders: the report, with the
// directions of each route grouped so they show side by side.
type reportPage struct {
	Report
	Groups []routeGroup
}

// routeGroup is one route with its directions.
type routeGroup struct {
	Route string
	Flows []RouteReport
}

func newReportPage(rep Report) reportPage {
	p := reportPage{Report: rep}
	for _, rr := range rep.Routes {
		if n := len(p.Groups); n > 0 && p.Groups[n-1].Route == rr.Route {
			p.Groups[n-1].Flows = append(p.Groups[n-1].Flows, rr)
			continue
		}
		p.Groups = append(p.Groups, routeGroup{Route: rr.Route, Flows: []RouteReport{rr}})
	}
	return p
}

// formatWindow shows a window length without zero units: "1h", "30m", "90s".
func formatWindow(d time.Duration) string {
	s := d.String()
	s = strings.TrimSuffix(s, "0s")
	return strings.TrimSuffix(s, "0m")
}

// formatFigure shows a windowed or since-mark readiness figure on one line.
func formatFigure(v any, minSamples uint64) template.HTML {
	var f ReadinessFigure
	switch v := v.(type) {
	case ReadinessFigure:
		f = v
	case *ReadinessFigure:
		if v == nil {
			return ""
		}
		f = *v
	}
	badge := readinessBadge(RouteReadiness{Samples: f.Samples, Ready: f.Ready}, minSamples)
	return template.HTML(fmt.Sprintf("%d samples · %d failures · bound %s %s",
		f.Samples, f.Mismatches+f.Errors, template.HTMLEscapeString(formatRate(f.UpperBound)), badge))
}

// triageBadge names what a signature looks like.
func triageBadge(t comparator.Triage) template.HTML {
	switch t {
	case comparator.TriageRepresentation:
		return `<span class="badge triage-representation">representation</span>`
	case comparator.TriageDataLoss:
		return `<span class="badge triage-data_loss">data loss</span>`
	}
	return `<span class="badge triage-unknown">unclear</span>`
}
