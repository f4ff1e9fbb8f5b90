package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/shadowread/shadowread/example/app"
	"github.com/shadowread/shadowread/example/catalog"
)

// TestSeriesStartAtZero checks that /metrics has the comparison series of
// every shadowed route at 0 before the route's first read, in both
// directions: Prometheus's increase() ignores the first sample of a series,
// so a series that first appeared with the reads of a scrape interval
// would lose them all.
func TestSeriesStartAtZero(t *testing.T) {
	_, _, admin := service(t)
	status, body := get(t, admin.URL+app.PathMetrics)
	if status != http.StatusOK {
		t.Fatalf("%s: %d", app.PathMetrics, status)
	}
	metrics := string(body)

	tests := []struct {
		name   string
		reason string
		route  string
	}{
		{"product", "the most read route", catalog.RouteProduct},
		{"customer orders", "a list route", catalog.RouteCustomerOrders},
		{"order", "read only after orders are placed", catalog.RouteOrder},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, dir := range [][2]string{{"postgres", "dynamodb"}, {"dynamodb", "postgres"}} {
				for _, outcome := range []string{"match", "mismatch"} {
					if !hasZeroSeries(metrics, "shadowread_comparisons_total", map[string]string{
						"route": tt.route, "primary": dir[0], "shadow": dir[1], "outcome": outcome,
					}) {
						t.Errorf("no shadowread_comparisons_total{route=%q, %s→%s, outcome=%q} at 0 before any read (%s)",
							tt.route, dir[0], dir[1], outcome, tt.reason)
					}
				}
			}
		})
	}
}

// hasZeroSeries reports whether the exposition text has a sample of metric
// with every label of labels and the value 0.
func hasZeroSeries(exposition, metric string, labels map[string]string) bool {
next:
	for _, line := range strings.Split(exposition, "\n") {
		rest, ok := strings.CutPrefix(line, metric+"{")
		if !ok {
			continue
		}
		set, value, ok := strings.Cut(rest, "} ")
		if !ok || strings.Fields(value)[0] != "0" {
			continue
		}
		for k, v := range labels {
			if !strings.Contains(","+set+",", ","+k+`="`+v+`",`) {
				continue next
			}
		}
		return true
	}
	return false
}
