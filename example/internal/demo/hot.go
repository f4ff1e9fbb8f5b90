package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shadowread/shadowread/example/internal/catalog"
	"github.com/shadowread/shadowread/telemetry"
)

// DefaultHotWriteEvery is how often the dark reads write their hot
// customer's order list. A read that races a write is explained only when
// the re-check, a second (app.RecheckAfter) later, still sees the racing
// write and no later one: the shadow's first answer equals the primary's
// second, or the shadow's second the primary's first. A list written faster
// than the re-check reads it would leave its races unexplained, and an
// unexplained difference is a mismatch by the library's rule, so the writes
// come every two seconds, each raced by a read of its own.
const DefaultHotWriteEvery = 2 * time.Second

// DefaultHotShare is the share of the load's order-list reads that go to
// the hot customer.
const DefaultHotShare = 0.2

// HotWriter places an order for one customer through the service (the dual
// write: PostgreSQL, then DynamoDB, one item) every Every until its context
// ends, and sends a read of the customer's order list at the same moment
// as each order, so that the read races the write. The hot entity is an
// order list, not a product: a product's DynamoDB items (the product and
// each variant) are written one after another, so a read between two of
// them sees a product neither store ever held, which no re-check can
// explain; an order is one item.
type HotWriter struct {
	// BaseURL is the service.
	BaseURL string
	// Customer places the orders and reads the list; the flags sample
	// them on the order-list route.
	Customer int64
	// SKUs are what the orders buy, in turn.
	SKUs  []string
	Every time.Duration
}

// HotStats is what a [HotWriter] did.
type HotStats struct {
	// Placed are the orders the service acknowledged; Failed counts the
	// others. Reads counts the racing reads answered 200.
	Placed        []int64
	Failed, Reads int
}

// Path is the customer's order list.
func (h HotWriter) Path() string {
	return "/customers/" + strconv.FormatInt(h.Customer, 10) + "/orders"
}

// Run writes until ctx ends. A write under way when it ends is finished.
func (h HotWriter) Run(ctx context.Context) HotStats {
	client := &http.Client{Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	ticker := time.NewTicker(h.Every)
	defer ticker.Stop()
	reqCtx := context.WithoutCancel(ctx)
	var s HotStats
	for i := 0; ; i++ {
		var read int
		var wg sync.WaitGroup
		wg.Go(func() { read, _ = h.send(reqCtx, client, http.MethodGet, h.Path(), h.Customer, "") })
		body := fmt.Sprintf(`{"lines":[{"sku":%q,"quantity":%d}]}`, h.SKUs[i%len(h.SKUs)], 1+i%3)
		switch status, resp := h.send(reqCtx, client, http.MethodPost, h.Path(), h.Customer, body); status {
		case http.StatusCreated:
			var o catalog.Order
			_ = json.Unmarshal(resp, &o)
			s.Placed = append(s.Placed, o.ID)
		default:
			s.Failed++
		}
		wg.Wait()
		if read == http.StatusOK {
			s.Reads++
		}
		if ctx.Err() != nil { // before a tick that is also ready
			return s
		}
		select {
		case <-ctx.Done():
			return s
		case <-ticker.C:
		}
	}
}

// send sends one request and returns its status, 0 when it got no
// answer, and its body.
func (h HotWriter) send(ctx context.Context, client *http.Client, method, path string, customer int64, body string) (int, []byte) {
	req, err := http.NewRequestWithContext(ctx, method, h.BaseURL+path, strings.NewReader(body))
	if err != nil {
		return 0, nil
	}
	req.Header.Set(catalog.HeaderCustomerID, strconv.FormatInt(customer, 10))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil
	}
	return resp.StatusCode, data
}

// HotVerdict says whether the sampled reads of the hot order list held: each
// a match, or a transient whose re-check showed the racing write; never a
// mismatch.
type HotVerdict struct {
	Path   string
	Stats  HotStats
	Counts Verdicts
	// Causes counts the transients by reason, Rechecks the re-checks by
	// result.
	Causes   map[telemetry.Reason]uint64
	Rechecks map[telemetry.RecheckResult]uint64
	OK       bool
	Says     string
	// Evidence says what broke the verdict.
	Evidence []string
}

// JudgeHot gives the hot order list's verdict from the tracker's counts of
// its path, which must be watched.
func JudgeHot(path string, s HotStats, t *Tracker) HotVerdict {
	v := HotVerdict{Path: path, Stats: s, Counts: t.Verdicts(path), Causes: t.Causes(path), Rechecks: t.Rechecks(path), OK: true}
	check := func(ok bool, format string, args ...any) {
		if !ok {
			v.OK = false
			v.Evidence = append(v.Evidence, fmt.Sprintf(format, args...))
		}
	}
	transients, explained := v.Counts[telemetry.Transient], v.Causes[telemetry.ReasonWriteRaced]+v.Causes[telemetry.ReasonShadowLagged]
	compared := v.Counts[telemetry.Match] + v.Counts[telemetry.Mismatch] + transients
	check(len(s.Placed) > 0, "hot order list %s: no write acknowledged", path)
	check(s.Failed == 0, "hot order list %s: %d writes failed", path, s.Failed)
	check(compared > 0, "hot order list %s: no read compared", path)
	check(v.Counts[telemetry.Mismatch] == 0, "hot order list %s: %d mismatches (re-checks: %s); its only differences are its own writes racing the reads",
		path, v.Counts[telemetry.Mismatch], rechecks(v.Rechecks))
	check(transients == explained, "hot order list %s: %d of %d transients name no racing write (%s)", path, transients-explained, transients, causes(v.Causes))
	v.Says = fmt.Sprintf("%s written %d times, each raced by a read; %s reads compared: %s match, %s mismatch, %s transient (%s)",
		path, len(s.Placed), Count(compared), Count(v.Counts[telemetry.Match]), Count(v.Counts[telemetry.Mismatch]), Count(transients), causes(v.Causes))
	return v
}

// learnedHotFields returns the learned noise of the order list that the
// hot customer's writes change (its orders, the cursor of its next page):
// they differ between two reads of that one list, and must never be
// learned as noise. Only request_id is the route's own nondeterminism.
func learnedHotFields(noise []string) []string {
	var out []string
	for _, f := range noise {
		if strings.HasPrefix(f, "orders") || f == "next_cursor" {
			out = append(out, f)
		}
	}
	return out
}

// hotWriter picks the hot customer: a reader the flags sample on the
// order-list route, whose orders no drift was put on.
func (d *demoRun) hotWriter() (HotWriter, error) {
	drifted := map[int64]bool{}
	for _, id := range d.victims.Customers {
		drifted[id] = true
	}
	cs := d.keys.ReaderCustomers
	for i := range cs {
		c := cs[(len(cs)/2+i)%len(cs)]
		if !drifted[c] && d.sampled(catalog.RouteCustomerOrders, c) {
			return HotWriter{BaseURL: d.base, Customer: c, SKUs: d.keys.SKUs[:min(len(d.keys.SKUs), 50)], Every: d.cfg.HotWriteEvery}, nil
		}
	}
	return HotWriter{}, fmt.Errorf("no customer without drift is sampled on %s", catalog.RouteCustomerOrders)
}

// WriteHot prints the hot order list's verdict.
func WriteHot(p *Printer, v HotVerdict) {
	if v.Path == "" {
		return
	}
	mark := "ok  "
	if !v.OK {
		mark = "FAIL"
	}
	p.Printf("\n  hot order list (written while read; its races must match or be transient with the write that explains them)\n")
	p.Printf("  %s %s\n", mark, v.Says)
}

// rechecks lists re-check results and their counts.
func rechecks(by map[telemetry.RecheckResult]uint64) string {
	var parts []string
	for _, r := range []telemetry.RecheckResult{telemetry.RecheckTransient, telemetry.RecheckConfirmed, telemetry.RecheckRepaired,
		telemetry.RecheckAbsorbed, telemetry.RecheckDropped, telemetry.RecheckFailed} {
		if n := by[r]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %s", Count(n), r))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}
