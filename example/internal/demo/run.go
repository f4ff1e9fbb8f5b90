package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/shadowread/shadowread/cutover"
	"github.com/shadowread/shadowread/example/internal/app"
	"github.com/shadowread/shadowread/example/internal/catalog"
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
	d := &demoRun{cfg: cfg, out: cfg.Out, started: time.Now(), flagPath: filepath.Join(cfg.Dir, "flags.json"),
		logger: slog.New(slog.NewJSONHandler(cfg.Log, nil)), regression: NewRegression()}
	defer d.regression.Close()
	stop, err := d.start(ctx)
	if err != nil {
		return false, err
	}
	defer func() { err = errors.Join(err, stop(context.WithoutCancel(ctx))) }()

	d.printSetup()
	failed, err := d.runPhases(ctx)
	if err != nil {
		return false, err
	}
	d.printReport()
	d.printOutcome(failed)
	if cfg.Keep {
		<-ctx.Done()
	}
	return len(failed) == 0, nil
}

// phase is one step of the migration and its one-line verdict.
type phase struct {
	name string
	run  func(context.Context) (verdict, error)
}

// phases are the migration's steps, in order; each has a file of its own.
func (d *demoRun) phases() []phase {
	return []phase{
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
}

// runPhases runs every phase, prints its verdict and returns the names of
// those that failed; an error stops the run.
func (d *demoRun) runPhases(ctx context.Context) (failed []string, err error) {
	phases := d.phases()
	for i, ph := range phases {
		t := time.Now()
		v, err := ph.run(ctx)
		took := time.Since(t)
		d.timings = append(d.timings, Phase{ph.name, took})
		if err != nil {
			d.out.Printf("[%2d/%d] %-26s ERROR %v\n", i+1, len(phases), ph.name, err)
			return nil, fmt.Errorf("phase %q: %w", ph.name, err)
		}
		mark := "ok  "
		if !v.ok {
			mark = "FAIL"
			failed = append(failed, ph.name)
		}
		d.out.Printf("[%2d/%d] %-26s %s %s  (%s)\n", i+1, len(phases), ph.name, mark, v.says, Seconds(took))
		if !v.ok {
			for _, e := range v.evidence {
				d.out.Printf("         evidence: %s\n", e)
			}
		}
	}
	return failed, nil
}

// demoRun is the state the phases share.
type demoRun struct {
	cfg      Config
	out      *Printer
	app      *app.App
	tracker  *Tracker
	base     string // the service's URL
	admin    string // the admin page's URL
	flagPath string
	// The run's own database and where its spans go.
	dbName, tracePath string
	started           time.Time
	timings           []Phase

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
