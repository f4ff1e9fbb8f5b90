package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shadowread/shadowread/example/internal/catalog"
)

// LoadConfig describes the demo's load.
type LoadConfig struct {
	// BaseURL is the service, such as http://127.0.0.1:8080.
	BaseURL  string
	Duration time.Duration
	// Workers is the number of requests in flight.
	Workers int
	Keys    *Keys
	// Victims are read more often than the rest (VictimShare of the
	// reads, by customers inside the sample), so that a short run compares
	// each of them several times. Sampled says who is inside.
	Victims     Victims
	VictimShare float64
	Sampled     Sampler
	// HotCustomer is a customer (inside the sample) whose order list gets
	// HotShare of the order-list reads while a [HotWriter] places its
	// orders; the load's own writes leave it alone. 0 means none.
	HotCustomer int64
	HotShare    float64
	Seed        uint64
	// Events run once, from the load's clock goroutine, when the load has
	// run for their time.
	Events []LoadEvent
	// Progress, if set, is called every Tick with the counts so far.
	Progress func(LoadProgress)
	Tick     time.Duration
	// WritesOnly makes every request a write.
	WritesOnly bool
}

// LoadEvent is something done during the load, such as editing the flags.
type LoadEvent struct {
	At  time.Duration
	Run func()
}

// LoadProgress is a snapshot of a running load.
type LoadProgress struct {
	Elapsed, Duration time.Duration
	Requests, Errors  uint64
}

// LoadStats is what a load did.
type LoadStats struct {
	Duration time.Duration
	Requests uint64
	// Errors are failed requests: no answer, or a status no endpoint gives
	// for a valid request.
	Errors uint64
	// ByOperation counts requests per operation.
	ByOperation map[string]uint64
	// NotFound counts reads answered 404: items missing in the store that
	// served them.
	NotFound uint64
	// PlacedOrders and RepricedProducts are the writes' ids.
	PlacedOrders, RepricedProducts []int64
}

// Operations of the load and their shares.
var operations = []struct {
	name  string
	share float64
}{
	{"product", 0.50},
	{"order list", 0.25},
	{"order", 0.20},
	{"place order", 0.03},
	{"set price", 0.02},
}

// DefaultVictimShare is the share of reads that go to a drifted key.
const DefaultVictimShare = 0.05

// Load drives the service for cfg.Duration with cfg.Workers requests in
// flight: product pages, order lists (sometimes the second page), orders,
// and a few writes.
func Load(ctx context.Context, cfg LoadConfig) (LoadStats, error) {
	if cfg.Workers < 1 || cfg.Duration <= 0 || cfg.Keys == nil || cfg.Sampled == nil {
		return LoadStats{}, fmt.Errorf("demo: Load needs workers, a duration, keys and a sampler")
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	transport := &http.Transport{MaxIdleConnsPerHost: cfg.Workers}
	defer transport.CloseIdleConnections()
	l := &load{cfg: cfg, client: &http.Client{Transport: transport, Timeout: 10 * time.Second}, start: time.Now(),
		victimProducts: map[int64]bool{}, victimCustomers: map[int64]bool{}}
	for _, id := range cfg.Victims.Products {
		l.victimProducts[id] = true
	}
	if cfg.HotCustomer != 0 {
		l.victimCustomers[cfg.HotCustomer] = true // its writer's writes only
	}
	for _, id := range cfg.Victims.Customers {
		l.victimCustomers[id] = true
	}
	for range operations {
		l.byOp = append(l.byOp, new(atomic.Uint64))
	}

	var wg sync.WaitGroup
	for i := range cfg.Workers {
		rng := rand.New(rand.NewPCG(cfg.Seed, uint64(i)))
		wg.Go(func() {
			for ctx.Err() == nil {
				l.step(ctx, rng)
			}
		})
	}
	wg.Go(func() { l.clock(ctx) })
	wg.Wait()

	stats := LoadStats{Duration: time.Since(l.start), Requests: l.requests.Load(), Errors: l.errors.Load(),
		NotFound: l.notFound.Load(), ByOperation: map[string]uint64{}}
	for i, op := range operations {
		stats.ByOperation[op.name] = l.byOp[i].Load()
	}
	l.mu.Lock()
	stats.PlacedOrders, stats.RepricedProducts = l.orders, l.products
	l.mu.Unlock()
	return stats, nil
}

type load struct {
	cfg    LoadConfig
	client *http.Client
	start  time.Time

	requests, errors, notFound atomic.Uint64
	byOp                       []*atomic.Uint64

	// Drifted keys are never written, whatever the key split: a write
	// would repair them.
	victimProducts, victimCustomers map[int64]bool

	mu               sync.Mutex
	orders, products []int64
}

// clock runs the events and reports progress until the load ends.
func (l *load) clock(ctx context.Context) {
	tick := l.cfg.Tick
	if tick <= 0 {
		tick = time.Second
	}
	ticker := time.NewTicker(min(tick, 100*time.Millisecond))
	defer ticker.Stop()
	events := l.cfg.Events
	lastReport := time.Duration(0)
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		elapsed := time.Since(l.start)
		for len(events) > 0 && elapsed >= events[0].At {
			events[0].Run()
			events = events[1:]
		}
		if l.cfg.Progress != nil && elapsed-lastReport >= tick {
			lastReport = elapsed
			l.cfg.Progress(LoadProgress{Elapsed: elapsed, Duration: l.cfg.Duration,
				Requests: l.requests.Load(), Errors: l.errors.Load()})
		}
	}
}

func (l *load) step(ctx context.Context, rng *rand.Rand) {
	x := rng.Float64()
	if l.cfg.WritesOnly {
		x = 0.95 + 0.05*x // the writes' shares are the last
	}
	op := 0
	for ; op < len(operations)-1 && x >= operations[op].share; op++ {
		x -= operations[op].share
	}
	l.byOp[op].Add(1)
	k, v := l.cfg.Keys, l.cfg.Victims
	victim := rng.Float64() < l.cfg.VictimShare
	switch operations[op].name {
	case "product":
		id, customer := pick(rng, k.ReaderProducts), pick(rng, k.ReaderCustomers)
		if victim && len(v.Products) > 0 {
			id = pick(rng, v.Products)
			// A customer inside the sample, a few tries at most.
			for range 20 {
				if l.cfg.Sampled(catalog.RouteProduct, customer) {
					break
				}
				customer = pick(rng, k.ReaderCustomers)
			}
		}
		l.get(ctx, fmt.Sprintf("/products/%d", id), customer, nil)
	case "order list":
		customer := pick(rng, k.ReaderCustomers)
		switch {
		case victim && len(v.Customers) > 0:
			customer = pick(rng, v.Customers)
		case l.cfg.HotCustomer != 0 && rng.Float64() < l.cfg.HotShare:
			customer = l.cfg.HotCustomer
		}
		path := fmt.Sprintf("/customers/%d/orders", customer)
		var page catalog.OrderPage
		l.get(ctx, path, customer, &page)
		if page.NextCursor != "" && rng.IntN(10) < 3 {
			l.get(ctx, path+"?cursor="+page.NextCursor, customer, nil)
		}
	case "order":
		o := pick(rng, k.ReaderOrders)
		if victim && len(v.Orders) > 0 {
			vo := pick(rng, v.Orders)
			o = OrderRef{ID: vo.ID, Customer: vo.CustomerID}
		}
		l.get(ctx, fmt.Sprintf("/orders/%d", o.ID), o.Customer, nil)
	case "place order":
		customer := pick(rng, k.WriterCustomers)
		if l.victimCustomers[customer] {
			return
		}
		var lines []string
		for range 1 + rng.IntN(3) {
			lines = append(lines, fmt.Sprintf(`{"sku":%q,"quantity":%d}`, pick(rng, k.SKUs), 1+rng.IntN(3)))
		}
		var o catalog.Order
		if l.send(ctx, http.MethodPost, fmt.Sprintf("/customers/%d/orders", customer), customer,
			`{"lines":[`+strings.Join(lines, ",")+`]}`, http.StatusCreated, &o) {
			l.mu.Lock()
			l.orders = append(l.orders, o.ID)
			l.mu.Unlock()
		}
	case "set price":
		variant := pick(rng, k.WriterVariants)
		if l.victimProducts[variant.Product] {
			return
		}
		price := fmt.Sprintf(`{"price":"%d.%02d"}`, 5+rng.IntN(250), rng.IntN(100))
		if l.send(ctx, http.MethodPut, fmt.Sprintf("/products/%d/variants/%s/price", variant.Product, variant.SKU),
			pick(rng, k.WriterCustomers), price, http.StatusOK, nil) {
			l.mu.Lock()
			l.products = append(l.products, variant.Product)
			l.mu.Unlock()
		}
	}
}

// get reads path for the customer; 404 is an answer (an item missing in
// the store that served it), anything but 200 and 404 an error.
func (l *load) get(ctx context.Context, path string, customer int64, out any) {
	status, body, ok := l.do(ctx, http.MethodGet, path, customer, "")
	switch {
	case !ok:
	case status == http.StatusNotFound:
		l.notFound.Add(1)
	case status != http.StatusOK:
		l.errors.Add(1)
	case out != nil:
		_ = json.Unmarshal(body, out)
	}
}

// send writes and reports whether the service answered want.
func (l *load) send(ctx context.Context, method, path string, customer int64, body string, want int, out any) bool {
	status, resp, ok := l.do(ctx, method, path, customer, body)
	if !ok {
		return false
	}
	if status != want {
		l.errors.Add(1)
		return false
	}
	if out != nil {
		_ = json.Unmarshal(resp, out)
	}
	return true
}

// do sends one request. A request cut short by the end of the load is
// neither counted nor an error.
func (l *load) do(ctx context.Context, method, path string, customer int64, body string) (int, []byte, bool) {
	var rd io.Reader = http.NoBody
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, l.cfg.BaseURL+path, rd)
	if err != nil {
		l.errors.Add(1)
		return 0, nil, false
	}
	req.Header.Set(catalog.HeaderCustomerID, strconv.FormatInt(customer, 10))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := l.client.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			l.requests.Add(1)
			l.errors.Add(1)
		}
		return 0, nil, false
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, err = buf.ReadFrom(resp.Body)
	if err != nil {
		if ctx.Err() == nil {
			l.requests.Add(1)
			l.errors.Add(1)
		}
		return 0, nil, false
	}
	l.requests.Add(1)
	return resp.StatusCode, buf.Bytes(), true
}
