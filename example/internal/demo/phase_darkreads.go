package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shadowread/shadowread/example/internal/catalog"
)

// darkReads serves load with PostgreSQL as primary and DynamoDB as shadow,
// while a hot customer's order list is written and read; every drifted path is also read
// by a sampled customer, so that each is compared whatever the load's luck;
// then an update is lost and repaired by a later write (loseUpdate).
func (d *demoRun) darkReads(ctx context.Context) (verdict, error) {
	hot, err := d.hotWriter()
	if err != nil {
		return verdict{}, err
	}
	d.tracker.Watch(hot.Path())
	hotCtx, stopHot := context.WithCancel(ctx)
	hotDone := make(chan HotStats, 1)
	go func() { hotDone <- hot.Run(hotCtx) }()
	stats, err := d.load(ctx, "dark reads", d.cfg.LoadDuration, LoadConfig{HotCustomer: hot.Customer, HotShare: d.cfg.HotShare})
	stopHot()
	hotStats := <-hotDone
	d.placed = append(d.placed, hotStats.Placed...)
	if err != nil {
		return verdict{}, err
	}
	if err := d.probeDrift(ctx); err != nil {
		return verdict{}, err
	}
	lost, err := d.loseUpdate(ctx, d.drifted())
	if err != nil {
		return verdict{}, err
	}
	d.drifts = append(d.drifts, lost)
	drained := d.drainShadows()
	var read []Drift
	for _, dr := range d.drifts {
		if len(dr.Paths) > 0 {
			read = append(read, dr)
		}
	}
	d.verdicts = Judge(read, d.tracker)
	v := verdict{ok: true}
	found, absorbed := 0, 0
	for _, vd := range d.verdicts {
		v.check(vd.OK, "%s %s: %s", vd.Drift.What, vd.Drift.Detail, vd.Says)
		if vd.OK && vd.Drift.Benign {
			absorbed++
		} else if vd.OK {
			found++
		}
	}
	n, unexpected := d.tracker.Unexpected()
	for _, u := range unexpected {
		v.check(false, "mismatch without drift: %s %s", u.Path, strings.Join(u.Paths, ", "))
	}
	v.check(n == 0, "%d mismatches on requests without drift", n)
	d.hot = JudgeHot(hot.Path(), hotStats, d.tracker)
	for _, e := range d.hot.Evidence {
		v.check(false, "%s", e)
	}
	v.check(drained, "shadows still running 10s after the load")
	v.check(stats.Errors == 0, "%d requests failed", stats.Errors)
	noise := d.app.Shadow.Noise(catalog.RouteCustomerOrders)
	v.check(len(learnedHotFields(noise)) == 0, "the hot order list's written fields %v learned as noise of %s", learnedHotFields(noise), catalog.RouteCustomerOrders)
	requestID := absorbedIn(d.app.Recorder.Report(), catalog.RouteCustomerOrders, "request_id")
	if d.app.NoiseBaseline > 0 {
		v.check(slices.Contains(noise, "request_id") || requestID > 0,
			"the order list's request_id, new on every read, is neither learned as noise nor absorbed (learned: %v)", noise)
	}
	odd := suspicious(d.app.Recorder.Report())
	v.check(len(odd) == 0, "fields absorbed as noise far more often than they differ between two primary reads: %v", odd)
	v.says = fmt.Sprintf("%s requests, %s compared: %d read differences found, %d absorbed, %d mismatches elsewhere, %d transient (%s); hot order list: %d writes, %d of its written fields learned; noise learned: %s (request_id absorbed in %s)",
		Count(stats.Requests), Count(d.tracker.sampled.Load()), found, absorbed, n, d.tracker.transients.Load(), causes(d.tracker.Causes("")),
		len(hotStats.Placed), len(learnedHotFields(noise)), strings.Join(noise, ", "), Count(requestID))
	return v, nil
}

// probeDrift reads every drifted path a few times as a sampled customer.
func (d *demoRun) probeDrift(ctx context.Context) error {
	client := &http.Client{Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	for _, dr := range d.drifts {
		for _, path := range dr.Paths {
			route := routeOf(path)
			customer, ok := d.sampledCustomer(route, path)
			if !ok {
				return fmt.Errorf("no sampled customer for %s", path)
			}
			for range 2 {
				if err := d.readAs(ctx, client, path, customer); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// readAs sends one GET of path as the customer and reads the answer.
func (d *demoRun) readAs(ctx context.Context, client *http.Client, path string, customer int64) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.base+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set(catalog.HeaderCustomerID, strconv.FormatInt(customer, 10))
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	return errors.Join(err, resp.Body.Close())
}

func routeOf(path string) string {
	switch {
	case strings.HasPrefix(path, "/products/"):
		return catalog.RouteProduct
	case strings.HasPrefix(path, "/orders/"):
		return catalog.RouteOrder
	}
	return catalog.RouteCustomerOrders
}

// sampledCustomer picks a customer whose reads of the path are shadowed:
// the order's own customer for order paths, else the first sampled reader.
func (d *demoRun) sampledCustomer(route, path string) (int64, bool) {
	if route == catalog.RouteCustomerOrders {
		id, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(path, "/customers/"), "/orders"), 10, 64)
		return id, d.sampled(route, id)
	}
	if route == catalog.RouteOrder {
		id, _ := strconv.ParseInt(strings.TrimPrefix(path, "/orders/"), 10, 64)
		for _, o := range d.victims.Orders {
			if o.ID == id && d.sampled(route, o.CustomerID) {
				return o.CustomerID, true
			}
		}
	}
	for _, c := range d.keys.ReaderCustomers {
		if d.sampled(route, c) {
			return c, true
		}
	}
	return 0, false
}
