package load

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// Colours of the three quantiles in the ratio chart.
var quantileColours = []string{"#4c78a8", "#f58518", "#c43c39"}

// RatioChart draws p50, p99 and p99.9 of every variant over the baseline's
// as an SVG bar chart. The axis is logarithmic and the bars start at 1, the
// baseline: a bar above the line is slower than no middleware, below is
// faster, and 2x slower is as tall as 2x faster.
func RatioChart(r *Report) []byte {
	const (
		width, height                     = 1000, 520
		left, right, top, bottom          = 70, 20, 60, 150
		plotW, plotH                      = width - left - right, height - top - bottom
		minRatio, defaultMaxRatio         = 0.5, 2.0
		barShare                  float64 = 0.24 // of a group's width, per bar
	)
	maxRatio := defaultMaxRatio
	lowest := 1.0
	for _, v := range r.Variants {
		for _, q := range reportQuantiles {
			ratio := r.Ratio(v.Key, q.Q)
			if ratio > 0 {
				maxRatio = max(maxRatio, ratio)
				lowest = min(lowest, ratio)
			}
		}
	}
	top2 := math.Pow(2, math.Ceil(math.Log2(maxRatio)))
	bottom2 := math.Min(minRatio, math.Pow(2, math.Floor(math.Log2(lowest))))
	y := func(ratio float64) float64 {
		ratio = math.Max(ratio, bottom2)
		return top + plotH*(math.Log2(top2)-math.Log2(ratio))/(math.Log2(top2)-math.Log2(bottom2))
	}

	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="Helvetica, Arial, sans-serif">`+"\n", width, height, width, height)
	w(`<rect width="%d" height="%d" fill="white"/>`+"\n", width, height)
	w(`<text x="%d" y="24" font-size="17" font-weight="bold">Latency of each variant over variant 1 (no middleware)</text>`+"\n", left)
	w(`<text x="%d" y="44" font-size="12" fill="#555">Open loop at %.0f req/s; ratio of p50, p99 and p99.9 over all rounds; log scale, 1 = no middleware.</text>`+"\n", left, r.Setup.Rate)

	// Grid lines at powers of two.
	for g := bottom2; g <= top2*1.0001; g *= 2 {
		stroke, dash := "#ddd", ""
		if g == 1 {
			stroke = "#333"
		} else {
			dash = ` stroke-dasharray="3,3"`
		}
		w(`<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="%s"%s/>`+"\n", left, left+plotW, y(g), y(g), stroke, dash)
		w(`<text x="%d" y="%.1f" font-size="11" text-anchor="end" dominant-baseline="middle">%s×</text>`+"\n", left-6, y(g), trimRatio(g))
	}

	group := float64(plotW) / float64(max(len(r.Variants), 1))
	barW := group * barShare
	for i, v := range r.Variants {
		x0 := float64(left) + group*float64(i) + (group-3*barW)/2
		for j, q := range reportQuantiles {
			ratio := r.Ratio(v.Key, q.Q)
			if ratio == 0 {
				continue
			}
			x := x0 + barW*float64(j)
			y0, y1 := y(1), y(ratio)
			w(`<rect class="bar" data-ratio="%.4f" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`+"\n",
				ratio, x, math.Min(y0, y1), barW-2, math.Max(math.Abs(y1-y0), 1), quantileColours[j])
			labelY := math.Min(y0, y1) - 4
			if ratio < 1 {
				labelY = math.Max(y0, y1) + 11
			}
			w(`<text x="%.1f" y="%.1f" font-size="9.5" text-anchor="middle">%.2f</text>`+"\n", x+(barW-2)/2, labelY, ratio)
		}
		// The variant's name, wrapped under its group.
		cx := float64(left) + group*(float64(i)+0.5)
		for k, line := range wrapWords(v.Name, max(10, min(16, int(group/7)))) {
			w(`<text x="%.1f" y="%d" font-size="11.5" text-anchor="middle">%s</text>`+"\n", cx, top+plotH+18+14*k, html.EscapeString(line))
		}
	}

	// Legend.
	lx := float64(left)
	for j, q := range reportQuantiles {
		w(`<rect x="%.0f" y="%d" width="12" height="12" fill="%s"/>`+"\n", lx, height-28, quantileColours[j])
		w(`<text x="%.0f" y="%d" font-size="12">%s</text>`+"\n", lx+16, height-18, q.Label)
		lx += 70
	}
	w("</svg>\n")
	return []byte(b.String())
}

// MemoryChart draws the resident memory and the goroutine count of the
// samples over time, in two panels whose axes start at zero, so a flat
// line is flat at a glance.
func MemoryChart(samples []MemorySample) []byte {
	const (
		width, height = 800, 490
		left, right   = 70, 20
		plotW         = width - left - right
		panelH        = 150
	)
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="Helvetica, Arial, sans-serif">`+"\n", width, height, width, height)
	w(`<rect width="%d" height="%d" fill="white"/>`+"\n", width, height)
	w(`<text x="%d" y="24" font-size="17" font-weight="bold">Variant 3 under load: every request shadowed, shadow 10x slower</text>`+"\n", left)

	var end float64
	for _, s := range samples {
		end = math.Max(end, s.At.Seconds())
	}
	end = math.Max(end, 1)
	panels := []struct {
		title  string
		top    int
		value  func(MemorySample) float64
		colour string
	}{
		{"resident memory (MiB)", 60, func(s MemorySample) float64 { return mib(float64(s.RSS)) }, "#4c78a8"},
		{"goroutines", 60 + panelH + 70, func(s MemorySample) float64 { return float64(s.Goroutines) }, "#f58518"},
	}
	for _, p := range panels {
		peak := 1.0
		for _, s := range samples {
			peak = math.Max(peak, p.value(s))
		}
		scale := niceCeil(peak * 1.25)
		yOf := func(v float64) float64 { return float64(p.top) + panelH*(1-v/scale) }
		w(`<text x="%d" y="%d" font-size="13" font-weight="bold">%s</text>`+"\n", left, p.top-10, p.title)
		for _, g := range []float64{0, scale / 2, scale} {
			w(`<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/>`+"\n", left, left+plotW, yOf(g), yOf(g))
			w(`<text x="%d" y="%.1f" font-size="11" text-anchor="end" dominant-baseline="middle">%g</text>`+"\n", left-6, yOf(g), g)
		}
		var pts []string
		for _, s := range samples {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", float64(left)+plotW*s.At.Seconds()/end, yOf(p.value(s))))
		}
		w(`<polyline class="series" fill="none" stroke="%s" stroke-width="2" points="%s"/>`+"\n", p.colour, strings.Join(pts, " "))
	}
	axisY := panels[1].top + panelH + 18
	w(`<text x="%d" y="%d" font-size="11" text-anchor="middle">0</text>`+"\n", left, axisY)
	w(`<text x="%d" y="%d" font-size="11" text-anchor="middle">%.0f</text>`+"\n", left+plotW, axisY, end)
	w(`<text x="%d" y="%d" font-size="12" text-anchor="middle">seconds under load (the rounds of variant 3 back to back)</text>`+"\n", left+plotW/2, axisY+22)
	w("</svg>\n")
	return []byte(b.String())
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

// trimRatio formats a grid ratio: 0.5, 1, 2, 16.
func trimRatio(r float64) string { return fmt.Sprintf("%g", math.Round(r*1000)/1000) }

// wrapWords breaks s into lines of at most width characters where it can.
func wrapWords(s string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		if line != "" && len(line)+1+len(word) > width {
			lines = append(lines, line)
			line = word
			continue
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	return append(lines, line)
}
