package demo

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shadowread/shadowread/example/catalog"
	"github.com/shadowread/shadowread/telemetry"
)

// DefaultHotWriteEvery is how often the dark reads write their hot product.
// A read that races a write is explained only when the re-check, a second
// (app.RecheckAfter) later, still sees the racing write and no later one:
// the shadow's first answer equals the primary's second, or the shadow's
// second the primary's first. A product written faster than the re-check
// reads it would leave its races unexplained, and an unexplained difference
// is a mismatch by the library's rule, so the writes come every two
// seconds, each raced by a read of its own.
const DefaultHotWriteEvery = 2 * time.Second

// DefaultHotShare is the share of the load's product reads that go to the
// hot product.
const DefaultHotShare = 0.2

// HotWriter writes one variant's price through the service (the dual
// write: PostgreSQL, then DynamoDB) every Every until its context ends,
// and sends a read of the product at the same moment as each write, as a
// customer inside the sample, so that the read races the write.
type HotWriter struct {
	// BaseURL is the service.
	BaseURL string
	Variant VariantRef
	// Writer sends the writes; Reader, a customer the flags sample on the
	// product route, the racing reads.
	Writer, Reader int64
	Every          time.Duration
}

// HotStats is what a [HotWriter] did.
type HotStats struct {
	// Writes counts the writes the service acknowledged, Failed the others;
	// Reads counts the racing reads answered 200.
	Writes, Failed, Reads int
}

// Path is the product's read path.
func (h HotWriter) Path() string { return "/products/" + strconv.FormatInt(h.Variant.Product, 10) }

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
		wg.Go(func() { read = h.send(reqCtx, client, http.MethodGet, h.Path(), h.Reader, "") })
		body := fmt.Sprintf(`{"price":"%d.%02d"}`, 20+i%80, (7+i*37)%100)
		switch h.send(reqCtx, client, http.MethodPut, h.Path()+"/variants/"+h.Variant.SKU+"/price", h.Writer, body) {
		case http.StatusOK:
			s.Writes++
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

// send sends one request and returns its status, 0 when it got no answer.
func (h HotWriter) send(ctx context.Context, client *http.Client, method, path string, customer int64, body string) int {
	req, err := http.NewRequestWithContext(ctx, method, h.BaseURL+path, strings.NewReader(body))
	if err != nil {
		return 0
	}
	req.Header.Set(catalog.HeaderCustomerID, strconv.FormatInt(customer, 10))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return 0
	}
	return resp.StatusCode
}

// HotVerdict says whether the sampled reads of the hot product held: each
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

// JudgeHot gives the hot product's verdict from the tracker's counts of
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
	check(s.Writes > 0, "hot product %s: no write acknowledged", path)
	check(s.Failed == 0, "hot product %s: %d writes failed", path, s.Failed)
	check(compared > 0, "hot product %s: no read compared", path)
	check(v.Counts[telemetry.Mismatch] == 0, "hot product %s: %d mismatches (re-checks: %s); its only differences are its own writes racing the reads",
		path, v.Counts[telemetry.Mismatch], rechecks(v.Rechecks))
	check(transients == explained, "hot product %s: %d of %d transients name no racing write (%s)", path, transients-explained, transients, causes(v.Causes))
	v.Says = fmt.Sprintf("%s written %d times, each raced by a read; %s reads compared: %s match, %s mismatch, %s transient (%s)",
		path, s.Writes, Count(compared), Count(v.Counts[telemetry.Match]), Count(v.Counts[telemetry.Mismatch]), Count(transients), causes(v.Causes))
	return v
}

// hotFields are the fields the hot product's writes change: they differ
// between two reads of it often, and must never be learned as noise.
var hotFields = []string{"variants[].price", "updated_at"}

// learnedHotFields returns the hot product's written fields among the
// learned noise.
func learnedHotFields(noise []string) []string {
	var out []string
	for _, f := range hotFields {
		if slices.Contains(noise, f) {
			out = append(out, f)
		}
	}
	return out
}

// hotWriter picks the hot product: a variant writers may change of a
// product that readers read and no drift was put on, written as a writer
// customer and read as a customer the flags sample.
func (d *demoRun) hotWriter(avoid map[int64]bool) (HotWriter, error) {
	variant, ok := d.readerVariant(avoid)
	if !ok {
		return HotWriter{}, fmt.Errorf("no variant of a product readers read is free for the hot product")
	}
	reader, ok := d.sampledCustomer(catalog.RouteProduct, "/products/"+strconv.FormatInt(variant.Product, 10))
	if !ok {
		return HotWriter{}, fmt.Errorf("no customer is sampled on %s", catalog.RouteProduct)
	}
	return HotWriter{BaseURL: d.base, Variant: variant, Writer: d.keys.WriterCustomers[0], Reader: reader, Every: d.cfg.HotWriteEvery}, nil
}

// readerVariant returns a variant of a reader product outside avoid,
// searching from the middle of the writers' variants.
func (d *demoRun) readerVariant(avoid map[int64]bool) (VariantRef, bool) {
	readers := map[int64]bool{}
	for _, id := range d.keys.ReaderProducts {
		readers[id] = true
	}
	vs := d.keys.WriterVariants
	for i := range vs {
		v := vs[(len(vs)/2+i)%len(vs)]
		if readers[v.Product] && !avoid[v.Product] {
			return v, true
		}
	}
	return VariantRef{}, false
}

// drifted returns the products drift was put on.
func (d *demoRun) drifted() map[int64]bool {
	avoid := map[int64]bool{}
	for _, id := range d.victims.Products {
		avoid[id] = true
	}
	return avoid
}

// WriteHot prints the hot product's verdict.
func WriteHot(p *Printer, v HotVerdict) {
	if v.Path == "" {
		return
	}
	mark := "ok  "
	if !v.OK {
		mark = "FAIL"
	}
	p.Printf("\n  hot product (written while read; its races must match or be transient with the write that explains them)\n")
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
