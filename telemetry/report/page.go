package report

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/telemetry/internal/vocab"
)

//go:embed report.gohtml
var reportTemplate string

// Handler returns a handler that serves the report snapshot returns, taken
// anew for each request, as a small, self-contained HTML page (no external
// assets), or as JSON for ?format=json or a request that accepts
// application/json but not HTML. Other methods than GET and HEAD get 405.
func Handler(snapshot func() Report) http.Handler {
	page := template.Must(template.New("report").Funcs(template.FuncMap{
		"pct":    formatRate,
		"dur":    formatDuration,
		"ts":     formatTime,
		"status": readinessBadge,
		"delta":  latencyDelta,
		"add":    func(a, b uint64) uint64 { return a + b },
		"window": formatWindow,
		"figure": formatFigure,
		"count":  formatCount,
		"share":  formatShare,
		"notcmp": formatNotCompared,
		"plural": plural,
		"triage": triageBadge,
		"label":  func(o vocab.Outcome) string { return strings.ReplaceAll(string(o), "_", " ") },
		"bad":    failed,
	}).Parse(reportTemplate))

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		report := snapshot()
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

// failed reports whether the outcome label o is a failure: telemetry's
// Mismatch, ShadowError and Timeout.
func failed(o vocab.Outcome) bool {
	return o == "mismatch" || o == "shadow_error" || o == "timeout"
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

// readinessBadge renders a readiness figure (a RouteReadiness, a
// ReadinessFigure or a pointer to one) as a coloured badge: ready;
// collecting, with the clean samples the bound still needs, while there is
// no failure; or not ready, saying why when it is the coverage alone.
func readinessBadge(v any, rep Report) template.HTML {
	f, ok := asFigure(v)
	switch {
	case !ok:
		return ""
	case f.Ready:
		return `<span class="badge ready">ready</span>`
	case f.CleanSamplesNeeded > 0 && f.Mismatches+f.Errors == 0:
		return template.HTML(fmt.Sprintf(`<span class="badge collecting">collecting: %s more clean samples</span>`, formatCount(f.CleanSamplesNeeded)))
	case f.CleanSamplesNeeded == 0 && f.Coverage < rep.MinCoverage:
		return template.HTML(fmt.Sprintf(`<span class="badge notready">not ready: coverage %s &lt; %s</span>`,
			formatShare(f.Coverage), formatShare(rep.MinCoverage)))
	}
	return `<span class="badge notready">not ready</span>`
}

// asFigure reads the readiness figure of v.
func asFigure(v any) (ReadinessFigure, bool) {
	switch v := v.(type) {
	case RouteReadiness:
		return ReadinessFigure{
			Samples: v.Samples, Mismatches: v.Mismatches, Errors: v.Errors, Sampled: v.Sampled, Compared: v.Compared,
			Coverage: v.Coverage, NotCompared: v.NotCompared, FailureRate: v.FailureRate, UpperBound: v.UpperBound,
			CleanSamplesNeeded: v.CleanSamplesNeeded, Ready: v.Ready,
		}, true
	case ReadinessFigure:
		return v, true
	case *ReadinessFigure:
		if v != nil {
			return *v, true
		}
	}
	return ReadinessFigure{}, false
}

// formatCount shows a count with thousands separators: 2,995.
func formatCount(n uint64) string {
	s := strconv.FormatUint(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// formatShare shows a share such as a coverage as a percentage, one decimal
// below 100%, never rounding up to 100%.
func formatShare(r float64) string {
	switch {
	case r >= 1:
		return "100%"
	case r == 0:
		return "0%"
	}
	return strconv.FormatFloat(math.Floor(1000*r)/10, 'f', -1, 64) + "%"
}

// plural shows a count with a noun, adding "s" or, after "ch", "es" when
// the count is not 1: "1 signature", "3 mismatches".
func plural(v any, noun string) string {
	var n uint64
	switch v := v.(type) {
	case int:
		n = uint64(v)
	case uint64:
		n = v
	}
	switch {
	case n == 1:
	case strings.HasSuffix(noun, "ch"):
		noun += "es"
	default:
		noun += "s"
	}
	return formatCount(n) + " " + noun
}

// formatNotCompared lists what lowered a figure's coverage: "100 skipped
// (body_too_large) · 3 transient (write_raced)".
func formatNotCompared(nc []NotCompared) string {
	if len(nc) == 0 {
		return "none"
	}
	parts := make([]string, 0, len(nc))
	for _, c := range nc {
		part := formatCount(c.Count) + " " + strings.ReplaceAll(string(c.Outcome), "_", " ")
		if c.Reason != "" {
			part += " (" + string(c.Reason) + ")"
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, " · ")
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
// directions of each route grouped so they show side by side, and the
// signatures of each route and direction grouped by triage.
type reportPage struct {
	Report
	Groups     []routeGroup
	Signatures []signatureSection
}

// routeGroup is one route with its directions.
type routeGroup struct {
	Route string
	Flows []RouteReport
}

// signatureSection is one route and direction with signatures, grouped by
// triage.
type signatureSection struct {
	RouteReport
	Triages []triageGroup
}

// triageGroup is the signatures of one triage: data loss, unknown (an empty
// or unrecognised triage) or representation.
type triageGroup struct {
	Triage     comparator.Triage
	Mismatches uint64
	Signatures []SignatureReport
}

// triageOrder is the order of the groups: what loses data first, what a
// person has to look at next, differences of form last.
var triageOrder = []comparator.Triage{comparator.TriageDataLoss, triageUnknown, comparator.TriageRepresentation}

// triageUnknown stands for every triage but data loss and representation.
const triageUnknown comparator.Triage = "unknown"

func newReportPage(rep Report) reportPage {
	p := reportPage{Report: rep}
	for _, rr := range rep.Routes {
		if len(rr.Signatures) > 0 {
			p.Signatures = append(p.Signatures, signatureSection{RouteReport: rr, Triages: groupByTriage(rr.Signatures)})
		}
		if n := len(p.Groups); n > 0 && p.Groups[n-1].Route == rr.Route {
			p.Groups[n-1].Flows = append(p.Groups[n-1].Flows, rr)
			continue
		}
		p.Groups = append(p.Groups, routeGroup{Route: rr.Route, Flows: []RouteReport{rr}})
	}
	return p
}

// groupByTriage groups signatures by triage in triageOrder, each group
// keeping the signatures' order (the most frequent first).
func groupByTriage(sigs []SignatureReport) []triageGroup {
	var out []triageGroup
	for _, t := range triageOrder {
		g := triageGroup{Triage: t}
		for _, sig := range sigs {
			if triageGroupOf(sig.Triage) == t {
				g.Signatures = append(g.Signatures, sig)
				g.Mismatches += sig.Count
			}
		}
		if len(g.Signatures) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// triageGroupOf returns the group of a triage value.
func triageGroupOf(t comparator.Triage) comparator.Triage {
	if t == comparator.TriageDataLoss || t == comparator.TriageRepresentation {
		return t
	}
	return triageUnknown
}

// formatWindow shows a window length without zero units: "1h", "30m", "90s".
func formatWindow(d time.Duration) string {
	s := d.String()
	s = strings.TrimSuffix(s, "0s")
	return strings.TrimSuffix(s, "0m")
}

// formatFigure shows a windowed or since-mark readiness figure on one line.
func formatFigure(v any, rep Report) template.HTML {
	f, ok := asFigure(v)
	if !ok {
		return ""
	}
	return template.HTML(fmt.Sprintf("%s samples · %s failures · bound %s · coverage %s of %s sampled %s",
		formatCount(f.Samples), formatCount(f.Mismatches+f.Errors), template.HTMLEscapeString(formatRate(f.UpperBound)),
		formatShare(f.Coverage), formatCount(f.Sampled), readinessBadge(f, rep)))
}

// triageBadge names what a signature looks like.
func triageBadge(t comparator.Triage) template.HTML {
	switch t {
	case comparator.TriageRepresentation:
		return `<span class="badge triage-representation">representation</span>`
	case comparator.TriageDataLoss:
		return `<span class="badge triage-data_loss">data loss</span>`
	}
	return `<span class="badge triage-unknown">unknown</span>`
}
