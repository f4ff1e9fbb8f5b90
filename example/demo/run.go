package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/cutover"
	"github.com/shadowread/shadowread/example/app"
	"github.com/shadowread/shadowread/example/catalog"
	"github.com/shadowread/shadowread/example/flagfile"
	"github.com/shadowread/shadowread/telemetry"
	"github.com/shadowread/shadowread/verify"
)

// Config is the demo's setup. [DefaultConfig] fills in the sizes.
type Config struct {
	// PostgresURL is a server on which the demo may create a database.
	PostgresURL string
	// DynamoDBEndpoint is a DynamoDB-API server such as dynalite.
	DynamoDBEndpoint string
	Dataset          Dataset
	// LoadDuration is how long the dark reads run; PhaseDuration how long
	// each later phase with load runs.
	LoadDuration  time.Duration
	PhaseDuration time.Duration
	Workers       int
	// RollbackPercent of customers go back to PostgreSQL in the rollback
	// drill. The primary switch before it is the cutover controller's
	// (SwitchPlan).
	RollbackPercent int
	// VictimShare of the reads go to the drifted keys.
	VictimShare float64
	// NoiseBaseline is the service's share of A/A comparisons, in percent
	// (app.Config.NoiseBaseline): the demo runs the share a service would
	// choose, app.DefaultNoiseBaseline (5%), so the order list's
	// request_id is learned from the pairs of many customers during the
	// load, and a read compared before that is settled by the evidence of
	// its own re-check.
	NoiseBaseline float64
	// HotWriteEvery is how often the dark reads place an order for their
	// hot customer (DefaultHotWriteEvery), HotShare the share of the
	// order-list reads that go to its list (DefaultHotShare).
	HotWriteEvery time.Duration
	HotShare      float64
	// Addr is where the service listens; when it is taken, a free port.
	Addr string
	// AdminAddr is where the report page and /metrics are served; when it
	// is taken, a free port.
	AdminAddr string
	// Keep serves on after the report until ctx is done.
	Keep bool
	// Dir receives the flag file and the trace file.
	Dir string
	// Log receives the service's logs.
	Log io.Writer
	Out *Printer
}

// DefaultConfig is the demo of make demo: 2,500 products, 10,000 orders,
// 8 seconds of dark reads and 4 seconds per later phase.
func DefaultConfig() Config {
	return Config{
		Dataset:         Dataset{Customers: 600, Products: 2_500, Orders: 10_000, Seed: 1},
		LoadDuration:    8 * time.Second,
		PhaseDuration:   4 * time.Second,
		Workers:         8,
		RollbackPercent: 50,
		VictimShare:     DefaultVictimShare,
		NoiseBaseline:   app.DefaultNoiseBaseline,
		HotWriteEvery:   DefaultHotWriteEvery,
		HotShare:        DefaultHotShare,
		Addr:            "127.0.0.1:8080",
		AdminAddr:       "127.0.0.1:8081",
	}
}

// traceRatio is the share of traces the demo keeps when
// OTEL_TRACES_SAMPLER does not choose a sampler.
const traceRatio = 0.01

// readRoutes are the routes the primary flag switches.
var readRoutes = []string{catalog.RouteProduct, catalog.RouteCustomerOrders, catalog.RouteOrder}

// Run runs the whole migration: PostgreSQL only, dual write, backfill,
// drift, verification, dark reads, repair, primary switch, DynamoDB first,
// a rollback drill, DynamoDB only and decommission. Each phase prints one
// line with its verdict. It returns whether every verdict held.
func Run(ctx context.Context, cfg Config) (pass bool, err error) {
	if cfg.PhaseDuration <= 0 {
		cfg.PhaseDuration = cfg.LoadDuration / 2
	}
	out := cfg.Out
	logger := slog.New(slog.NewJSONHandler(cfg.Log, nil))
	pgURL, dbName, err := createDatabase(ctx, cfg.PostgresURL)
	if err != nil {
		return false, err
	}
	d := &demoRun{cfg: cfg, out: out, started: time.Now(), flagPath: filepath.Join(cfg.Dir, "flags.json"),
		logger: logger, regression: NewRegression()}
	defer d.regression.Close()
	if err := d.setFlags(flagState{mode: catalog.WritePostgres}); err != nil {
		return false, err
	}
	// Spans go to the OTLP endpoint when the environment sets one, else to
	// a file.
	tracePath := filepath.Join(cfg.Dir, "traces.jsonl")
	var traces io.Writer
	if app.OTLPEndpoint() == "" {
		f, err := os.Create(tracePath)
		if err != nil {
			return false, err
		}
		defer f.Close()
		traces = f
	}

	a, err := app.New(ctx, app.Config{
		PostgresURL:      pgURL,
		DynamoDBEndpoint: cfg.DynamoDBEndpoint,
		Table:            "catalog-" + dbName,
		FlagFile:         d.flagPath,
		Logger:           logger,
		TraceOutput:      traces,
		TraceRatio:       traceRatio,
		WrapRecorder: func(r telemetry.Recorder) telemetry.Recorder {
			d.tracker = NewTracker(r)
			return d.switchRecorder(d.tracker, r)
		},
		WrapHandler:        TagRequests,
		NoiseBaseline:      cfg.NoiseBaseline,
		DynamoDBHTTPClient: d.regression.Client(),
	})
	if err != nil {
		return false, err
	}
	defer func() { err = errors.Join(err, a.Close(context.WithoutCancel(ctx))) }()
	d.app = a

	ln, err := listen(cfg.Addr)
	if err != nil {
		return false, err
	}
	d.base = "http://" + ln.Addr().String()
	srv := &http.Server{Handler: a.Handler, ReadHeaderTimeout: 5 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	defer func() {
		shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		err = errors.Join(err, srv.Shutdown(shutdownCtx))
		if serveErr := <-served; !errors.Is(serveErr, http.ErrServerClosed) {
			err = errors.Join(err, serveErr)
		}
	}()
	adminLn, err := listen(cfg.AdminAddr)
	if err != nil {
		return false, err
	}
	admin := "http://" + adminLn.Addr().String()
	adminSrv := &http.Server{Handler: a.Admin, ReadHeaderTimeout: 5 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	adminServed := make(chan error, 1)
	go func() { adminServed <- adminSrv.Serve(adminLn) }()
	defer func() {
		shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		err = errors.Join(err, adminSrv.Shutdown(shutdownCtx))
		if serveErr := <-adminServed; !errors.Is(serveErr, http.ErrServerClosed) {
			err = errors.Join(err, serveErr)
		}
	}()

	out.Printf("shadowread demo: a catalog service moving from PostgreSQL to DynamoDB, behind two flags\n\n")
	out.Printf("  stores   PostgreSQL database %s, DynamoDB table %s at %s\n", dbName, a.DynamoDB.Table(), cfg.DynamoDBEndpoint)
	out.Printf("  service  %s (admin %s: report %s, metrics %s)\n", d.base, admin, app.PathReport, app.PathMetrics)
	out.Printf("  files    %s (flags.json: the live flag file; catalog.log: service logs)\n", cfg.Dir)
	out.Printf("  traces   %s\n", app.TraceDestination(tracePath, traceRatio))
	if SeparateWriteKeys {
		out.Printf("  writes   on keys reads never touch (SeparateWriteKeys = true)\n\n")
	} else {
		out.Printf("  writes   on the keys reads use, but never on drifted keys (a write would repair them)\n\n")
	}

	phases := []struct {
		name string
		run  func(context.Context) (verdict, error)
	}{
		{"seed PostgreSQL", d.seed},
		{"dual write", d.dualWrite},
		{"backfill DynamoDB", d.backfill},
		{"inject drift", d.drift},
		{"verify stores", d.verify},
		{"dark reads", d.darkReads},
		{"repair and re-verify", d.repairDrift},
		{"primary switch", d.primarySwitch},
		{"write mode dynamodb-first", d.dynamoDBFirst},
		{"rollback drill", d.rollbackDrill},
		{"write mode dynamodb", d.dynamoDBOnly},
		{"decommission PostgreSQL", d.decommission},
	}
	var failed []string
	for i, ph := range phases {
		t := time.Now()
		v, err := ph.run(ctx)
		took := time.Since(t)
		d.timings = append(d.timings, Phase{ph.name, took})
		if err != nil {
			out.Printf("[%2d/%d] %-26s ERROR %v\n", i+1, len(phases), ph.name, err)
			return false, fmt.Errorf("phase %q: %w", ph.name, err)
		}
		mark := "ok  "
		if !v.ok {
			mark = "FAIL"
			failed = append(failed, ph.name)
		}
		out.Printf("[%2d/%d] %-26s %s %s  (%s)\n", i+1, len(phases), ph.name, mark, v.says, Seconds(took))
		if !v.ok {
			for _, e := range v.evidence {
				out.Printf("         evidence: %s\n", e)
			}
		}
	}

	out.Printf("\nreport of the shadow reads\n\n")
	report := a.Recorder.Report()
	WriteRoutes(out, report, d.tracker)
	out.Printf("\n  noise per field (the primary read twice for %g%% of samples, the service's default share; a field that differs in nearly every pair, across many entities, is learned and absorbed, never a mismatch)\n", a.NoiseBaseline)
	WriteNoise(out, report, a.Shadow.Noise)
	out.Printf("\n  latency per store, handler time of the sampled requests\n")
	WriteLatency(out, d.tracker)
	out.Printf("\n")
	WriteVerdicts(out, d.verdicts, d.tracker)
	WriteHot(out, d.hot)
	out.Printf("\n")
	WritePhases(out, d.timings, time.Since(d.started))
	if d.verifyReport.Run != 0 {
		out.Printf("  verification: %s entities compared in %s (%s entities/s)\n", Count(d.verifyEntities), Seconds(d.verifyTook),
			Count(int64(float64(d.verifyEntities)/max(d.verifyTook.Seconds(), 1e-3))))
	}

	pass = len(failed) == 0
	if pass {
		out.Printf("\nPASS: PostgreSQL only to DynamoDB only; every injected difference found, nothing else; 0 lost writes, 0 stale reads.\n")
	} else {
		out.Printf("\nFAIL: %s (the evidence is under each FAIL line; logs: catalog.log in %s)\n", strings.Join(failed, ", "), cfg.Dir)
	}
	if cfg.Keep {
		out.Printf("Serving until interrupted (Ctrl-C): %s/products/%d, %s%s\n", d.base, d.keys.ReaderProducts[0], admin, app.PathReport)
		<-ctx.Done()
	} else {
		out.Printf("Report page: %s%s (JSON: ?format=json)\n", admin, app.PathReport)
		out.Printf("DEMO_KEEP=1 make demo keeps the service running after the report.\n")
	}
	return pass, nil
}

// verdict is a phase's result: whether it held, in a few words, and the
// evidence when it did not.
type verdict struct {
	ok       bool
	says     string
	evidence []string
}

func pass(format string, args ...any) verdict {
	return verdict{ok: true, says: fmt.Sprintf(format, args...)}
}

// check adds a condition to a verdict: when it does not hold, the verdict
// fails with the evidence.
func (v *verdict) check(ok bool, format string, args ...any) {
	if !ok {
		v.ok = false
		v.evidence = append(v.evidence, fmt.Sprintf(format, args...))
	}
}

// demoRun is the state the phases share.
type demoRun struct {
	cfg      Config
	out      *Printer
	app      *app.App
	tracker  *Tracker
	base     string
	flagPath string
	started  time.Time
	timings  []Phase

	keys    *Keys
	seeded  SeedStats
	drifts  []Drift
	victims Victims
	// verdicts of the dark reads, per drift, and of its hot order list.
	verdicts       []Verdict
	hot            HotVerdict
	verifyReport   verify.Report
	verifyEntities int64
	verifyTook     time.Duration
	// Every write the service acknowledged, for the lost-write check.
	placed, repriced []int64
	// The primary switch's evidence, watch and regression.
	logger     *slog.Logger
	local      *cutover.Local
	watch      *SwitchWatch
	regression *Regression
}

// flagState is what the flag file says.
type flagState struct {
	mode      catalog.WriteMode
	shadowing bool
	dynamo    int // percent of customers with DynamoDB as primary
}

// setFlags writes the flag file and waits until the service sees it.
func (d *demoRun) setFlags(s flagState) error {
	data := flagfile.Default
	var err error
	if s.dynamo > 0 {
		if data, err = flagfile.SplitPrimary(data, s.dynamo, readRoutes...); err != nil {
			return err
		}
	}
	if data, err = primaryShareFlag(data); err != nil {
		return err
	}
	if data, err = flagfile.SetWriteMode(data, s.mode); err != nil {
		return err
	}
	if data, err = flagfile.SetShadowing(data, s.shadowing); err != nil {
		return err
	}
	if err := flagfile.Write(d.flagPath, data); err != nil {
		return err
	}
	if d.app == nil {
		return nil
	}
	deadline := time.Now().Add(10 * time.Second)
	for !d.flagsSeen(s) {
		if time.Now().After(deadline) {
			return fmt.Errorf("the service did not pick up the flag file within 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	return nil
}

// flagsSeen reports whether the service's flags are s: the write mode, and
// for every read customer the primary that the split gives.
func (d *demoRun) flagsSeen(s flagState) bool {
	if d.app.WriteModes.WriteMode(context.Background()) != s.mode {
		return false
	}
	customers := []int64{1}
	if d.keys != nil {
		customers = d.keys.ReaderCustomers
	}
	dynamo := 0
	for _, c := range customers {
		if d.decide(catalog.RouteProduct, c).Primary == backends.DynamoDB {
			dynamo++
		}
	}
	share := 100 * dynamo / len(customers)
	switch {
	case s.dynamo == 0 || s.dynamo == 100:
		return share == s.dynamo
	default:
		return share > 0 && share < 100
	}
}

func (d *demoRun) decide(route string, customer int64) (dec struct {
	Primary backends.Name
	Sampled bool
}) {
	r, _ := http.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set(catalog.HeaderCustomerID, strconv.FormatInt(customer, 10))
	got := d.app.Flags.Decide(r, route)
	dec.Primary, dec.Sampled = got.Primary, got.Sampled
	return dec
}

func (d *demoRun) sampled(route string, customer int64) bool {
	return d.decide(route, customer).Sampled
}

// seed fills PostgreSQL; the write mode is postgres, no shadow reads.
func (d *demoRun) seed(ctx context.Context) (verdict, error) {
	s, err := Seed(ctx, d.app.Postgres.Pool(), d.cfg.Dataset, time.Now())
	if err != nil {
		return verdict{}, err
	}
	d.seeded = s
	if d.keys, err = LoadKeys(ctx, d.app.Postgres.Pool()); err != nil {
		return verdict{}, err
	}
	v := pass("%s customers, %s products (%s variants), %s orders; write mode postgres",
		Count(s.Customers), Count(s.Products), Count(s.Variants), Count(s.Orders))
	return v, nil
}

// dualWrite flips the write mode to both: a write now reaches both stores.
func (d *demoRun) dualWrite(ctx context.Context) (verdict, error) {
	if err := d.setFlags(flagState{mode: catalog.WriteBoth}); err != nil {
		return verdict{}, err
	}
	stats, err := d.load(ctx, "", 0, LoadConfig{Duration: time.Second, WritesOnly: true})
	if err != nil {
		return verdict{}, err
	}
	lost, differ, err := d.writesInBothStores(ctx, stats.PlacedOrders, stats.RepricedProducts)
	if err != nil {
		return verdict{}, err
	}
	v := pass("write mode both: %d orders and %d price changes, each in both stores", len(stats.PlacedOrders), len(stats.RepricedProducts))
	v.check(stats.Errors == 0, "%d writes failed", stats.Errors)
	v.check(len(stats.PlacedOrders) > 0, "no write was made")
	v.check(len(lost) == 0 && len(differ) == 0, "missing in DynamoDB: %v; different: %v", lost, differ)
	return v, nil
}

// backfill copies the history.
func (d *demoRun) backfill(ctx context.Context) (verdict, error) {
	var total int64 // the seeded rows and the dual write's orders
	if err := d.app.Postgres.Pool().QueryRow(ctx, `SELECT (SELECT count(*) FROM customers) + (SELECT count(*) FROM products) + (SELECT count(*) FROM orders)`).Scan(&total); err != nil {
		return verdict{}, err
	}
	bf, err := catalog.Backfill(ctx, d.app.Postgres, d.app.DynamoDB, catalog.WithProgress(BackfillProgress(d.out, total)))
	d.out.Done()
	if err != nil {
		return verdict{}, err
	}
	var rows, items int64
	for _, p := range bf {
		rows += p.Rows
		items += p.Written + p.Skipped
	}
	v := pass("%s rows as %s items, conditional on updated_at", Count(rows), Count(items))
	v.check(rows == total, "copied %d rows of %d", rows, total)
	return v, nil
}

// drift puts differences between the stores, on keys requests read and on
// keys none reads.
func (d *demoRun) drift(ctx context.Context) (verdict, error) {
	if err := d.setFlags(flagState{mode: catalog.WriteBoth, shadowing: true}); err != nil {
		return verdict{}, err
	}
	drifts, victims, err := InjectDrift(ctx, d.app.Postgres, d.app.DynamoDB, d.keys, d.sampled, d.cfg.Dataset.Seed)
	if err != nil {
		return verdict{}, err
	}
	unread, err := InjectUnreadDrift(ctx, d.app.Postgres, d.app.DynamoDB, d.keys)
	if err != nil {
		return verdict{}, err
	}
	d.drifts, d.victims = append(drifts, unread...), victims
	real := 0
	for _, dr := range d.drifts {
		if len(dr.Paths) > 0 {
			d.tracker.Watch(dr.Paths...)
		}
		if !dr.Benign {
			real++
		}
	}
	return pass("%d real differences (%d on keys no request reads), %d representation differences",
		real, len(unread), len(d.drifts)-real), nil
}

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

// repairDrift repairs what verification found and verifies again: nothing
// may differ before customers are served from DynamoDB.
func (d *demoRun) repairDrift(ctx context.Context) (verdict, error) {
	n, err := catalog.RepairFindings(ctx, d.app.Postgres, d.app.DynamoDB, d.verifyReport.Differences())
	if err != nil {
		return verdict{}, err
	}
	r, took, err := d.runVerify(ctx)
	if err != nil {
		return verdict{}, err
	}
	v := pass("%d entities repaired; a second verification finds %d differences (%d absorbed) in %s",
		n, len(r.Differences()), len(r.Findings)-len(r.Differences()), Seconds(took))
	for _, f := range r.Differences() {
		v.check(false, "still different: %s %d %s %s", f.Kind, f.ID, f.Problem, strings.Join(f.Fields, ","))
	}
	return v, nil
}

// customerShare is the percentage of reader customers DynamoDB serves.
func (d *demoRun) customerShare() float64 {
	n := 0
	for _, c := range d.keys.ReaderCustomers {
		if d.decide(catalog.RouteProduct, c).Primary == backends.DynamoDB {
			n++
		}
	}
	return 100 * float64(n) / float64(len(d.keys.ReaderCustomers))
}

// dynamoDBFirst makes DynamoDB the source of truth for writes and the
// primary of every read; PostgreSQL follows for rollback.
func (d *demoRun) dynamoDBFirst(ctx context.Context) (verdict, error) {
	if err := d.setFlags(flagState{mode: catalog.WriteDynamoDBFirst, shadowing: true, dynamo: 100}); err != nil {
		return verdict{}, err
	}
	v, err := d.cleanLoad(ctx, "dynamodb-first", d.cfg.PhaseDuration)
	if err != nil {
		return verdict{}, err
	}
	drained, err := d.drainLogs(ctx)
	if err != nil {
		return verdict{}, err
	}
	v.check(drained, "repair logs not empty 30s after the load")
	v.says = "DynamoDB written first and primary for all; " + v.says
	return v, nil
}

// rollbackDrill sends a share of customers back to PostgreSQL and forward
// again while writes go on: every acknowledged write of the demo must read
// the same from both stores.
func (d *demoRun) rollbackDrill(ctx context.Context) (verdict, error) {
	if err := d.setFlags(flagState{mode: catalog.WriteDynamoDBFirst, shadowing: true, dynamo: 100 - d.cfg.RollbackPercent}); err != nil {
		return verdict{}, err
	}
	back := 100 - d.customerShare()
	v, err := d.cleanLoad(ctx, "rollback", d.cfg.PhaseDuration)
	if err != nil {
		return verdict{}, err
	}
	if err := d.setFlags(flagState{mode: catalog.WriteDynamoDBFirst, shadowing: true, dynamo: 100}); err != nil {
		return verdict{}, err
	}
	forward, err := d.cleanLoad(ctx, "forward", d.cfg.PhaseDuration/2)
	if err != nil {
		return verdict{}, err
	}
	v.ok = v.ok && forward.ok
	v.evidence = append(v.evidence, forward.evidence...)
	drained, err := d.drainLogs(ctx)
	if err != nil {
		return verdict{}, err
	}
	v.check(drained, "repair logs not empty 30s after the load")
	lost, differ, err := d.writesInBothStores(ctx, d.placed, d.repriced)
	if err != nil {
		return verdict{}, err
	}
	v.check(len(lost) == 0, "writes lost: %v", lost)
	v.check(len(differ) == 0, "writes that differ between the stores: %v", differ)
	v.says = fmt.Sprintf("%.0f%% of customers back on PostgreSQL, then forward; %d lost writes of %d acknowledged since the dual write; %s",
		back, len(lost), len(d.placed)+len(d.repriced), v.says)
	return v, nil
}

// dynamoDBOnly stops writing PostgreSQL: reads from it are refused.
func (d *demoRun) dynamoDBOnly(ctx context.Context) (verdict, error) {
	if err := d.setFlags(flagState{mode: catalog.WriteDynamoDB, dynamo: 100}); err != nil {
		return verdict{}, err
	}
	h := catalog.NewRouter(catalog.NewStores(d.app.Postgres, d.app.DynamoDB), nil,
		catalog.WithWriteModeGuard(d.app.WriteModes), catalog.WithLogger(slog.New(slog.DiscardHandler)))
	refused := serveOne(ctx, h, backends.Postgres, fmt.Sprintf("/products/%d", d.keys.ReaderProducts[0]))
	var before int64
	if err := d.app.Postgres.Pool().QueryRow(ctx, `SELECT count(*) FROM orders`).Scan(&before); err != nil {
		return verdict{}, err
	}
	firstWrite := len(d.placed)
	v, err := d.cleanLoad(ctx, "dynamodb only", d.cfg.PhaseDuration)
	if err != nil {
		return verdict{}, err
	}
	for _, id := range d.placed[firstWrite:] {
		if r := serveOne(ctx, h, backends.DynamoDB, "/orders/"+strconv.FormatInt(id, 10)); r.Status != http.StatusOK {
			v.check(false, "order %d, acknowledged in write mode dynamodb, reads %d from DynamoDB", id, r.Status)
		}
	}
	var after int64
	if err := d.app.Postgres.Pool().QueryRow(ctx, `SELECT count(*) FROM orders`).Scan(&after); err != nil {
		return verdict{}, err
	}
	v.check(refused.Status == http.StatusServiceUnavailable && strings.Contains(string(refused.Body), catalog.FlagWriteMode),
		"a read from PostgreSQL answered %d %s, want 503 naming %s", refused.Status, refused.Body, catalog.FlagWriteMode)
	v.check(after == before, "PostgreSQL got %d orders in write mode dynamodb", after-before)
	v.says = fmt.Sprintf("reads from PostgreSQL refused (503), no write reached it; %s", v.says)
	return v, nil
}

// decommission drops PostgreSQL's tables; the service goes on.
func (d *demoRun) decommission(ctx context.Context) (verdict, error) {
	if _, err := d.app.Postgres.Pool().Exec(ctx, `DROP TABLE order_lines, orders, variants, products, customers,
	dynamodb_outbox, backfill_checkpoints, shadowread_verify_findings, shadowread_verify_scanned, shadowread_verify_sums,
	shadowread_verify_units, shadowread_verify_runs`); err != nil {
		return verdict{}, err
	}
	v, err := d.cleanLoad(ctx, "decommissioned", d.cfg.PhaseDuration/2)
	if err != nil {
		return verdict{}, err
	}
	v.says = "PostgreSQL tables dropped; " + v.says
	return v, nil
}

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
		a, err := d.app.Postgres.RepairLogSize(ctx)
		if err != nil {
			return false, err
		}
		b, _, err := d.app.DynamoDB.PostgresRepairLogSize(ctx)
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

// createDatabase creates a database of the run's own on the server and
// returns its URL and name.
func createDatabase(ctx context.Context, serverURL string) (string, string, error) {
	u, err := url.Parse(serverURL)
	if err != nil {
		return "", "", fmt.Errorf("demo: PostgreSQL URL: %w", err)
	}
	name := fmt.Sprintf("demo_%d", time.Now().UnixNano())
	conn, err := pgx.Connect(ctx, serverURL)
	if err != nil {
		return "", "", fmt.Errorf("demo: connect to PostgreSQL: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", "", fmt.Errorf("demo: create database %s: %w", name, err)
	}
	u.Path = "/" + name
	return u.String(), name, nil
}

// listen listens on addr, or on a free port of its host when addr is taken.
func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err == nil {
		return ln, nil
	}
	host, _, splitErr := net.SplitHostPort(addr)
	if splitErr != nil {
		return nil, err
	}
	return net.Listen("tcp", net.JoinHostPort(host, "0"))
}
