//go:build soak

package soak

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// headerCustomerID names the customer a request is for: the service's
// flags are sticky per customer.
const headerCustomerID = "X-Customer-Id"

// maxInFlight bounds the generator's own requests: past it a request is
// not sent and counts as a user error, as a client's would time out.
const maxInFlight = 2000

// outcome is one request's result.
type outcome struct {
	end     time.Time
	latency time.Duration
	failed  bool // 5xx or no answer
}

// generator sends an open-loop load: requests start on a schedule whatever
// the answers take, as users arrive.
type generator struct {
	base   string
	rate   int
	state  *faultState
	skus   []variant
	client *http.Client
	slots  chan struct{}

	mu       sync.Mutex
	outcomes []outcome
	healthy  []string // failed reads of a healthy primary
	acked    []int64  // orders the service answered 201 for
	reads    int
	writes   int
}

func newGenerator(addr string, rate int, state *faultState, skus []variant) *generator {
	return &generator{
		base: "http://" + addr, rate: rate, state: state, skus: skus,
		client: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}},
		slots:  make(chan struct{}, maxInFlight),
	}
}

func (g *generator) run(ctx context.Context) {
	var wg sync.WaitGroup
	defer func() {
		wg.Wait()
		g.client.CloseIdleConnections()
	}()
	tick := time.NewTicker(time.Second / time.Duration(g.rate))
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		select {
		case g.slots <- struct{}{}:
		default:
			g.record(outcome{end: time.Now(), failed: true})
			continue
		}
		wg.Go(func() {
			defer func() { <-g.slots }()
			g.one()
		})
	}
}

// one sends a request of the mix: 90 % reads over the three read routes,
// 10 % writes (orders and prices).
func (g *generator) one() {
	customer := 1 + rand.IntN(customers)
	var method, path, body string
	write := false
	switch n := rand.IntN(100); {
	case n < 40:
		method, path = http.MethodGet, "/products/"+strconv.Itoa(1+rand.IntN(products))
	case n < 65:
		method, path = http.MethodGet, "/customers/"+strconv.Itoa(customer)+"/orders"
	case n < 90:
		method, path = http.MethodGet, "/orders/"+strconv.Itoa(1+rand.IntN(orders))
	case n < 97:
		write = true
		v := g.skus[rand.IntN(len(g.skus))]
		method, path = http.MethodPost, "/customers/"+strconv.Itoa(customer)+"/orders"
		body = fmt.Sprintf(`{"lines":[{"sku":%q,"quantity":%d}]}`, v.sku, 1+rand.IntN(3))
	default:
		write = true
		v := g.skus[rand.IntN(len(g.skus))]
		method = http.MethodPut
		path = fmt.Sprintf("/products/%d/variants/%s/price", v.product, v.sku)
		body = fmt.Sprintf(`{"price":"%d.%02d"}`, 5+rand.IntN(50), rand.IntN(100))
	}
	primary, healthy, epoch := g.state.primary(customer)
	start := time.Now()
	status, answer, err := g.send(method, path, body, customer)
	o := outcome{end: time.Now(), latency: time.Since(start), failed: err != nil || status >= 500}
	g.record(o)

	g.mu.Lock()
	defer g.mu.Unlock()
	if write {
		g.writes++
		if status == http.StatusCreated {
			var placed struct {
				ID int64 `json:"id"`
			}
			if json.Unmarshal(answer, &placed) == nil && placed.ID > 0 {
				g.acked = append(g.acked, placed.ID)
			}
		}
		return
	}
	g.reads++
	if o.failed && healthy && g.state.unchanged(epoch) {
		_, stillHealthy, _ := g.state.primary(customer)
		if stillHealthy {
			g.healthy = append(g.healthy, fmt.Sprintf("%s %s %s (primary %s): status %d, err %v, after %v",
				start.Format("15:04:05.000"), method, path, primary, status, err, o.latency.Round(time.Millisecond)))
		}
	}
}

func (g *generator) send(method, path, body string, customer int) (int, []byte, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, g.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set(headerCustomerID, strconv.Itoa(customer))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := g.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	return resp.StatusCode, answer, err
}

func (g *generator) record(o outcome) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.outcomes = append(g.outcomes, o)
}

// window returns the outcomes that ended in [from, to).
func (g *generator) window(from, to time.Time) []outcome {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []outcome
	for _, o := range g.outcomes {
		if !o.end.Before(from) && o.end.Before(to) {
			out = append(out, o)
		}
	}
	return out
}

func (g *generator) healthyFailures() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []string
	for i, h := range g.healthy {
		if i == 10 {
			out = append(out, fmt.Sprintf("... %d more failed reads of a healthy primary", len(g.healthy)-10))
			break
		}
		out = append(out, "a healthy primary's read failed: "+h)
	}
	return out
}

func (g *generator) ackedOrders() []int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]int64(nil), g.acked...)
}
