package demo

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/example/internal/catalog"
)

// cleanLoad runs load and requires no failed request, no 404 (an item
// missing in the store that served it) and no mismatch.
func (d *demoRun) cleanLoad(ctx context.Context, label string, dur time.Duration) (verdict, error) {
	mismatches, transients := d.tracker.mismatches.Load(), d.tracker.transients.Load()
	stats, err := d.load(ctx, label, dur, LoadConfig{})
	if err != nil {
		return verdict{}, err
	}
	drained := d.drainShadows()
	m, tr := d.tracker.mismatches.Load()-mismatches, d.tracker.transients.Load()-transients
	v := pass("%s requests, %d orders and %d prices written: %d failed, %d stale reads (404), %d mismatches, %d transient",
		Count(stats.Requests), len(stats.PlacedOrders), len(stats.RepricedProducts), stats.Errors, stats.NotFound, m, tr)
	v.check(stats.Errors == 0, "%s: %d requests failed", label, stats.Errors)
	v.check(stats.NotFound == 0, "%s: %d reads answered 404", label, stats.NotFound)
	v.check(m == 0, "%s: %d mismatches", label, m)
	v.check(drained, "%s: shadows still running 10s after the load", label)
	return v, nil
}

// load drives the service and remembers its writes.
func (d *demoRun) load(ctx context.Context, label string, dur time.Duration, lc LoadConfig) (LoadStats, error) {
	if dur > 0 {
		lc.Duration = dur
	}
	lc.BaseURL, lc.Workers, lc.Keys, lc.Seed = d.base, d.cfg.Workers, d.keys, d.cfg.Dataset.Seed+uint64(len(d.timings))
	lc.Victims, lc.VictimShare, lc.Sampled = d.victims, d.cfg.VictimShare, d.sampled
	lc.Tick = time.Second / 4
	if !d.out.Terminal() {
		lc.Tick = 5 * time.Second
	}
	if label != "" {
		lc.Progress = func(p LoadProgress) {
			d.out.Progress("         %s %4.1fs  %s requests  %s compared  %s mismatches  %s failed",
				label, p.Elapsed.Seconds(), Count(p.Requests), Count(d.tracker.sampled.Load()), Count(d.tracker.mismatches.Load()), Count(p.Errors))
		}
	}
	stats, err := Load(ctx, lc)
	d.out.Done()
	d.placed = append(d.placed, stats.PlacedOrders...)
	d.repriced = append(d.repriced, stats.RepricedProducts...)
	return stats, err
}

// drainShadows waits until no shadow is running and no re-check is
// waiting, so counts are complete.
func (d *demoRun) drainShadows() bool {
	deadline := time.Now().Add(10 * time.Second)
	for d.app.Shadow.InFlight() > 0 || d.tracker.Pending() > 0 {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

// drainLogs waits until the repair worker has emptied both repair logs.
func (d *demoRun) drainLogs(ctx context.Context) (bool, error) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		a, err := d.app.RepairLogs.RepairLogSize(ctx)
		if err != nil {
			return false, err
		}
		b, _, err := d.app.RepairLogs.PostgresRepairLogSize(ctx)
		if err != nil {
			return false, err
		}
		if a == 0 && b == 0 {
			return true, nil
		}
		if time.Now().After(deadline) {
			return false, nil
		}
		d.app.Repairer.Kick()
		time.Sleep(50 * time.Millisecond)
	}
}

// writesInBothStores reads each written order and product from both
// stores: lost are those one store lacks, differ those that differ.
func (d *demoRun) writesInBothStores(ctx context.Context, orders, products []int64) (lost, differ []string, err error) {
	h := catalog.NewRouter(catalog.NewStores(d.app.Postgres, d.app.DynamoDB), nil, catalog.WithLogger(slog.New(slog.DiscardHandler)))
	cmp := comparator.JSON(comparator.PostgresDynamoDB())
	var paths []string
	seen := map[string]bool{}
	for _, id := range orders {
		paths = append(paths, "/orders/"+strconv.FormatInt(id, 10))
	}
	for _, id := range products {
		if p := "/products/" + strconv.FormatInt(id, 10); !seen[p] {
			seen[p] = true
			paths = append(paths, p)
		}
	}
	for _, p := range paths {
		pg := serveOne(ctx, h, backends.Postgres, p)
		ddb := serveOne(ctx, h, backends.DynamoDB, p)
		switch {
		case pg.Status != http.StatusOK || ddb.Status != http.StatusOK:
			lost = append(lost, fmt.Sprintf("%s (postgres %d, dynamodb %d)", p, pg.Status, ddb.Status))
		default:
			if res := cmp.Compare(pg, ddb); !res.Equal {
				var diffs []string
				for _, d := range res.Diffs[:min(len(res.Diffs), shownDiffs)] {
					diffs = append(diffs, d.Path+" "+string(d.Kind))
				}
				differ = append(differ, fmt.Sprintf("%s (%s)", p, strings.Join(diffs, ", ")))
			}
		}
	}
	return lost, differ, nil
}

// serveOne serves a GET against one store, as the middleware routes it.
func serveOne(ctx context.Context, h http.Handler, b backends.Name, path string) comparator.Response {
	r := httptest.NewRequestWithContext(backends.WithTarget(ctx, b), http.MethodGet, path, nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return comparator.Response{Status: w.Code, Header: w.Header(), Body: w.Body.Bytes()}
}
