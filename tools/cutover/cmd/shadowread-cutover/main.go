// Command shadowread-cutover runs the cutover controller: it moves the
// primary share of each configured route from PostgreSQL to DynamoDB
// through a plan of steps while the fleet's evidence in Prometheus holds,
// writing flagd's flag file, and moves it back when a gate fails.
//
//	shadowread-cutover -config cutover.json            run the controller
//	shadowread-cutover -config cutover.json -metrics :9464   ... and serve its gauges at /metrics
//	shadowread-cutover -config cutover.json -dry-run   print the plan and what the next interval would do; write nothing
//	shadowread-cutover -config cutover.json -status    print each route's share and gate results; write nothing
//
// The configuration is JSON:
//
//	{
//	  "routes": ["/products/{id}", "/orders"],
//	  "prometheus": "http://prometheus:9090",
//	  "flag_file": "/etc/flagd/flags.json",
//	  "postgres_url": "postgres://cutover@db/catalog",
//	  "lease_name": "catalog",
//	  "plan": [1, 5, 25, 50, 100],
//	  "hold": "30m",
//	  "interval": "1m"
//	}
//
// Without postgres_url, "single": true declares this the only controller.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/api"

	"github.com/shadowread/shadowread/cutover"
	"github.com/shadowread/shadowread/tools/cutover/prom"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "shadowread-cutover:", err)
		os.Exit(1)
	}
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("shadowread-cutover", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "cutover.json", "the configuration file (JSON)")
	dryRun := fs.Bool("dry-run", false, "print the plan and what the next interval would do, and write nothing")
	status := fs.Bool("status", false, "print each route's share and gate results, and write nothing")
	asJSON := fs.Bool("json", false, "with -status: print JSON")
	metricsAddr := fs.String("metrics", "", "serve the controller's gauges for Prometheus at this address's /metrics, e.g. :9464")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(*configPath)
	if err != nil {
		return err
	}
	transport := &http.Transport{}
	defer transport.CloseIdleConnections()
	client, err := api.NewClient(api.Config{Address: cfg.Prometheus, RoundTripper: transport})
	if err != nil {
		return err
	}
	var promOpts []prom.Option
	if cfg.Window > 0 {
		promOpts = append(promOpts, prom.WithWindow(time.Duration(cfg.Window)))
	}
	source := prom.New(client, promOpts...)
	var fileOpts []cutover.FlagFileOption
	if cfg.FlagKey != "" {
		fileOpts = append(fileOpts, cutover.FlagKey(cfg.FlagKey))
	}
	file := cutover.NewFlagFile(cfg.FlagFile, fileOpts...)
	logger := slog.New(slog.NewTextHandler(stderr, nil))

	if *dryRun || *status {
		// One interval on a copy of the shares: the file is never written.
		ro := &readOnly{file: file}
		c := cutover.New(cfg.Routes, source, ro, cutover.SoleController(), append(cfg.options(), cutover.WithLogger(slog.New(slog.DiscardHandler)))...)
		if err := c.Tick(ctx); err != nil {
			return err
		}
		if *dryRun {
			return printPlan(stdout, c, cfg, ro.read)
		}
		return printStatus(stdout, c.Status(), *asJSON)
	}

	lease, closeLease, err := leaseOf(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeLease()
	opts := append(cfg.options(), cutover.WithLogger(logger))
	if *metricsAddr != "" {
		withMetrics, _, stopMetrics, err := serveMetrics(*metricsAddr)
		if err != nil {
			return err
		}
		defer stopMetrics()
		opts = append(opts, withMetrics)
	}
	c := cutover.New(cfg.Routes, source, file, lease, opts...)
	logger.Info("shadowread-cutover: running", "routes", cfg.Routes, "plan", c.Plan())
	return c.Run(ctx)
}

// leaseOf returns the PostgreSQL lease of cfg, or the sole-controller lease
// when cfg declares it single.
func leaseOf(ctx context.Context, cfg config) (cutover.Lease, func(), error) {
	if cfg.PostgresURL == "" {
		if !cfg.Single {
			return nil, nil, errors.New(`config: "postgres_url" and "lease_name" keep one controller acting at a time; set "single": true if this is the only one`)
		}
		return cutover.SoleController(), func() {}, nil
	}
	if cfg.LeaseName == "" {
		return nil, nil, errors.New(`config: "lease_name" names the cutover's lease, e.g. the service's name`)
	}
	pool, err := pgxpool.New(ctx, cfg.PostgresURL)
	if err != nil {
		return nil, nil, err
	}
	holder := cfg.Holder
	if holder == "" {
		host, _ := os.Hostname()
		holder = host + ":" + strconv.Itoa(os.Getpid())
	}
	ttl := time.Duration(cfg.LeaseTTL)
	if ttl <= 0 {
		ttl = 3 * max(time.Duration(cfg.Interval), cutover.DefaultInterval)
	}
	lease := cutover.NewPostgresLease(pool, cfg.LeaseName, holder, ttl)
	return lease, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = lease.Release(ctx)
		pool.Close()
	}, nil
}

// readOnly reads the shares from the flag file and keeps what would be
// written in memory.
type readOnly struct {
	file *cutover.FlagFile
	read map[string]float64 // the shares in the file
}

func (r *readOnly) Shares(ctx context.Context, routes []string) (map[string]float64, error) {
	shares, err := r.file.Shares(ctx, routes)
	r.read = shares
	return shares, err
}

func (r *readOnly) SetShares(context.Context, map[string]float64) error { return nil }

func printPlan(w io.Writer, c *cutover.Controller, cfg config, now map[string]float64) error {
	hold := time.Duration(cfg.Hold)
	if hold == 0 {
		hold = cutover.DefaultHold
	}
	fmt.Fprintf(w, "plan: %v %% of users per step, each held %v while the gates pass\n", c.Plan(), hold)
	fmt.Fprintln(w, "before the first step: forward-ready; at every step: reverse-bound, latency, errors")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ROUTE\tNOW\tNEXT INTERVAL\tWHY")
	for _, st := range c.Status() {
		fmt.Fprintf(tw, "%s\t%g%%\t%s at %g%%\t%s\n", st.Route, now[st.Route], st.Action, st.Share, st.Why)
	}
	return tw.Flush()
}

func printStatus(w io.Writer, routes []cutover.RouteStatus, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(routes)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ROUTE\tSHARE\tSTEP\tGATE\tVERDICT\tREASON")
	for _, st := range routes {
		for i, r := range st.Results {
			route, share, step := "", "", ""
			if i == 0 {
				route, share, step = st.Route, strconv.FormatFloat(st.Share, 'g', -1, 64)+"%", strconv.Itoa(st.Step)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", route, share, step, r.Gate, r.Verdict, r.Reason)
		}
	}
	return tw.Flush()
}
