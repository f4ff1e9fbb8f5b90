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
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/example/app"
	"github.com/shadowread/shadowread/example/catalog"
	"github.com/shadowread/shadowread/example/flagfile"
	"github.com/shadowread/shadowread/telemetry"
)

// Config is the demo's setup. [DefaultConfig] fills in the sizes.
type Config struct {
	// PostgresURL is a server on which the demo may create a database.
	PostgresURL string
	// DynamoDBEndpoint is a DynamoDB-API server such as dynalite.
	DynamoDBEndpoint string
	Dataset          Dataset
	// LoadDuration is how long the load runs; the primary switch happens
	// half way.
	LoadDuration time.Duration
	Workers      int
	// SwitchPercent of customers get DynamoDB as primary half way, on the
	// product and order routes.
	SwitchPercent int
	// VictimShare of the reads go to the drifted keys.
	VictimShare float64
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

// DefaultConfig is the demo of make demo: 10,000 products, 50,000 orders,
// 30 seconds of load.
func DefaultConfig() Config {
	return Config{
		Dataset:       Dataset{Customers: 2_000, Products: 10_000, Orders: 50_000, Seed: 1},
		LoadDuration:  30 * time.Second,
		Workers:       8,
		SwitchPercent: 10,
		VictimShare:   DefaultVictimShare,
		Addr:          "127.0.0.1:8080",
		AdminAddr:     "127.0.0.1:8081",
	}
}

// traceRatio is the share of traces the demo keeps when
// OTEL_TRACES_SAMPLER does not choose a sampler.
const traceRatio = 0.01

// Run runs the demo: seed, backfill, drift, serve, load, report. It
// returns whether the report found exactly the injected drift.
func Run(ctx context.Context, cfg Config) (pass bool, err error) {
	out := cfg.Out
	started := time.Now()
	var phases []Phase
	phase := func(name string, since time.Time) time.Duration {
		d := time.Since(since)
		phases = append(phases, Phase{name, d})
		return d
	}
	logger := slog.New(slog.NewJSONHandler(cfg.Log, nil))

	pgURL, dbName, err := createDatabase(ctx, cfg.PostgresURL)
	if err != nil {
		return false, err
	}
	flagPath := filepath.Join(cfg.Dir, "flags.json")
	if err := flagfile.Write(flagPath, flagfile.Default); err != nil {
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

	var tracker *Tracker
	a, err := app.New(ctx, app.Config{
		PostgresURL:      pgURL,
		DynamoDBEndpoint: cfg.DynamoDBEndpoint,
		Table:            "catalog-" + dbName,
		FlagFile:         flagPath,
		Logger:           logger,
		TraceOutput:      traces,
		TraceRatio:       traceRatio,
		WrapRecorder: func(r telemetry.Recorder) telemetry.Recorder {
			tracker = NewTracker(r)
			return tracker
		},
		WrapHandler: TagRequests,
	})
	if err != nil {
		return false, err
	}
	defer func() { err = errors.Join(err, a.Close(context.WithoutCancel(ctx))) }()

	out.Printf("shadowread demo: a catalog service moving from PostgreSQL to DynamoDB\n\n")
	out.Printf("  stores   PostgreSQL database %s, DynamoDB table %s at %s\n", dbName, a.DynamoDB.Table(), cfg.DynamoDBEndpoint)
	out.Printf("  files    %s (flags.json: the live flag file; catalog.log: service logs)\n", cfg.Dir)
	out.Printf("  traces   %s\n\n", app.TraceDestination(tracePath, traceRatio))

	// 1. Seed PostgreSQL, the source of truth.
	t := time.Now()
	ds := cfg.Dataset
	seeded, err := Seed(ctx, a.Postgres.Pool(), ds, time.Now())
	if err != nil {
		return false, err
	}
	out.Printf("[1/6] seed PostgreSQL    %s customers, %s products (%s variants), %s orders (%s lines)  %s\n",
		Count(seeded.Customers), Count(seeded.Products), Count(seeded.Variants), Count(seeded.Orders), Count(seeded.Lines),
		Seconds(phase("seed", t)))

	// 2. Backfill DynamoDB.
	t = time.Now()
	out.Printf("[2/6] backfill DynamoDB  conditional writes on updated_at, %d ranges in flight, %d reading PostgreSQL\n",
		catalog.DefaultWriteConcurrency, catalog.DefaultReadConcurrency)
	bf, err := catalog.Backfill(ctx, a.Postgres, a.DynamoDB, catalog.WithProgress(BackfillProgress(out, int64(seeded.Products+seeded.Orders))))
	out.Done()
	if err != nil {
		return false, err
	}
	items := bf[catalog.EntityProduct].Written + bf[catalog.EntityOrder].Written
	d := phase("backfill", t)
	out.Printf("      %s products and %s orders copied as %s items in %s (%s items/s)\n",
		Count(bf[catalog.EntityProduct].Rows), Count(bf[catalog.EntityOrder].Rows), Count(items), Seconds(d), Count(int64(float64(items)/d.Seconds())))

	// 3. Drift.
	t = time.Now()
	keys, err := LoadKeys(ctx, a.Postgres.Pool())
	if err != nil {
		return false, err
	}
	sampled := func(route string, customer int64) bool {
		r, _ := http.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set(catalog.HeaderCustomerID, strconv.FormatInt(customer, 10))
		return a.Flags.Decide(r, route).Sampled
	}
	drifts, victims, err := InjectDrift(ctx, a.Postgres, a.DynamoDB, keys, sampled, ds.Seed)
	if err != nil {
		return false, err
	}
	changes := 0
	for _, dr := range drifts {
		tracker.Watch(dr.Paths...)
		if !dr.Benign {
			changes++
		}
	}
	out.Printf("[3/6] inject drift       %d real differences, %d representation differences  %s\n",
		changes, len(drifts)-changes, Seconds(phase("drift", t)))

	// 4. Serve.
	ln, err := listen(cfg.Addr)
	if err != nil {
		return false, err
	}
	base := "http://" + ln.Addr().String()
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
	out.Printf("[4/6] serve              %s  (admin %s: report %s, metrics %s)\n", base, admin, app.PathReport, app.PathMetrics)

	// 5. Load, with the primary switch half way.
	t = time.Now()
	switched := []string{catalog.RouteProduct, catalog.RouteOrder}
	out.Printf("[5/6] load               %s, %d requests in flight; sampling 25%% of customers on products, 50%% on orders\n",
		Seconds(cfg.LoadDuration), cfg.Workers)
	tick := time.Second / 4
	if !out.Terminal() {
		tick = 5 * time.Second
	}
	stats, err := Load(ctx, LoadConfig{
		BaseURL: base, Duration: cfg.LoadDuration, Workers: cfg.Workers, Keys: keys, Seed: ds.Seed,
		Victims: victims, VictimShare: cfg.VictimShare, Sampled: sampled,
		Tick: tick,
		Progress: func(p LoadProgress) {
			out.Progress("      %5.1fs  %s requests (%s/s)  %s compared  %s mismatches  %s dropped  %s shadow errors  %s failed",
				p.Elapsed.Seconds(), Count(p.Requests), Count(int64(float64(p.Requests)/p.Elapsed.Seconds())),
				Count(tracker.sampled.Load()), Count(tracker.mismatches.Load()), Count(tracker.dropped.Load()),
				Count(tracker.errors.Load()), Count(p.Errors))
		},
		Events: []LoadEvent{{At: cfg.LoadDuration / 2, Run: func() {
			edited, err := flagfile.SplitPrimary(flagfile.Default, cfg.SwitchPercent, switched...)
			if err == nil {
				err = flagfile.Write(flagPath, edited)
			}
			if err != nil {
				out.Printf("      flag file edit failed: %v\n", err)
				return
			}
			tracker.StartSwitch()
			out.Printf("      %5.1fs  flag file edited: DynamoDB is primary for %d%% of customers on %s and %s\n",
				(cfg.LoadDuration / 2).Seconds(), cfg.SwitchPercent, switched[0], switched[1])
		}}},
	})
	out.Done()
	if err != nil {
		return false, err
	}
	phase("load", t)
	drained := drain(a, 10*time.Second)
	out.Printf("      %s requests in %s (%s/s): %s product, %s order-list, %s order reads; %s orders placed, %s prices changed; %s failed\n",
		Count(stats.Requests), Seconds(stats.Duration), Count(int64(float64(stats.Requests)/stats.Duration.Seconds())),
		Count(stats.ByOperation["product"]), Count(stats.ByOperation["order list"]), Count(stats.ByOperation["order"]),
		Count(len(stats.PlacedOrders)), Count(len(stats.RepricedProducts)), Count(stats.Errors))
	out.Printf("      answered 404: %s (items missing in DynamoDB, for customers whose primary it had become)\n",
		Count(stats.NotFound))
	writesOK, err := checkWrites(ctx, a, stats, out)
	if err != nil {
		return false, err
	}

	// 6. Report.
	out.Printf("\n[6/6] report\n\n")
	WriteRoutes(out, a.Recorder.Report(), tracker)
	out.Printf("\n  latency per store, handler time of the sampled requests\n")
	WriteLatency(out, tracker)
	out.Printf("\n")
	verdicts := Judge(drifts, tracker)
	WriteVerdicts(out, verdicts, tracker)
	out.Printf("\n")
	WritePhases(out, phases, time.Since(started))

	pass = writesOK && drained && stats.Errors == 0
	for _, v := range verdicts {
		pass = pass && v.OK
	}
	if n, _ := tracker.Unexpected(); n > 0 {
		pass = false
	}
	if pass {
		out.Printf("\nPASS: the shadow reads found every injected difference and nothing else.\n")
	} else {
		out.Printf("\nFAIL: see the lines marked FAIL above, and %s.\n", "catalog.log in "+cfg.Dir)
	}
	out.Printf("Report page: %s%s (JSON: ?format=json)\n", admin, app.PathReport)
	if cfg.Keep {
		out.Printf("Serving until interrupted (Ctrl-C): %s/products/%d, %s/customers/%d/orders, %s%s\n",
			base, keys.ReaderProducts[0], base, keys.ReaderCustomers[0], admin, app.PathMetrics)
		<-ctx.Done()
	} else {
		out.Printf("DEMO_KEEP=1 make demo keeps the service running after the report.\n")
	}
	return pass, nil
}

// drain waits until no shadow is running, so the report counts them all.
func drain(a *app.App, limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for a.Shadow.InFlight() > 0 {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

// checkWrites confirms that the load's writes reached DynamoDB. DynamoDB
// writes that failed during the load (dynalite shares two cores with
// everything else, and can stall) are in the repair log: the demo replays
// it, as an operator would, and then every written order and product must
// read the same from both stores and the log must be empty.
func checkWrites(ctx context.Context, a *app.App, stats LoadStats, out *Printer) (bool, error) {
	pending, err := a.Postgres.RepairLogSize(ctx)
	if err != nil {
		return false, err
	}
	if pending > 0 {
		r, err := catalog.Repair(ctx, a.Postgres, a.DynamoDB)
		if err != nil {
			return false, err
		}
		out.Printf("      %d DynamoDB writes failed during the load and were kept in the repair log; repair: %d replayed, %d repaired, %d failed\n",
			pending, r.Entries, r.Repaired, r.Failed)
		if pending, err = a.Postgres.RepairLogSize(ctx); err != nil {
			return false, err
		}
	}
	h := catalog.NewRouter(catalog.NewStores(a.Postgres, a.DynamoDB), nil, catalog.WithLogger(slog.New(slog.DiscardHandler)))
	cmp := comparator.JSON(comparator.PostgresDynamoDB())
	var paths []string
	seen := map[string]bool{}
	for _, id := range stats.PlacedOrders {
		paths = append(paths, "/orders/"+strconv.FormatInt(id, 10))
	}
	for _, id := range stats.RepricedProducts {
		if p := "/products/" + strconv.FormatInt(id, 10); !seen[p] {
			seen[p] = true
			paths = append(paths, p)
		}
	}
	differ := 0
	for _, p := range paths {
		pg := serveOne(ctx, h, backends.Postgres, p)
		ddb := serveOne(ctx, h, backends.DynamoDB, p)
		if !cmp.Compare(pg, ddb).Equal {
			differ++
		}
	}
	ok := pending == 0 && differ == 0
	mark := "ok  "
	if !ok {
		mark = "FAIL"
	}
	out.Printf("      %s dual writes: %s written entities read the same from both stores (%d differ); repair log: %d entries\n",
		mark, Count(len(paths)), differ, pending)
	return ok, nil
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
	name := fmt.Sprintf("demo_%d", time.Now().Unix())
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
