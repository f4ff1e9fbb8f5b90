package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"go.opentelemetry.io/otel"

	"github.com/shadowread/shadowread/example/internal/demo"
)

func demoCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	st := storeFlags(fs)
	cfg := demo.DefaultConfig()
	fs.DurationVar(&cfg.LoadDuration, "duration", cfg.LoadDuration, "how long the dark reads' load runs")
	fs.DurationVar(&cfg.PhaseDuration, "phase-duration", cfg.PhaseDuration, "how long the load of each later phase runs")
	fs.IntVar(&cfg.Workers, "workers", cfg.Workers, "requests in flight during the load")
	fs.IntVar(&cfg.Dataset.Products, "products", cfg.Dataset.Products, "products to seed")
	fs.IntVar(&cfg.Dataset.Orders, "orders", cfg.Dataset.Orders, "orders to seed")
	fs.IntVar(&cfg.Dataset.Customers, "customers", cfg.Dataset.Customers, "customers to seed")
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address; a free port when it is taken")
	fs.StringVar(&cfg.AdminAddr, "admin-addr", cfg.AdminAddr, "listen address of the report page and /metrics; a free port when it is taken")
	fs.BoolVar(&cfg.Keep, "keep", os.Getenv("DEMO_KEEP") == "1", "serve on after the report until interrupted (default $DEMO_KEEP=1)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := st.check(); err != nil {
		return err
	}
	if st.dynamodb == "" {
		return errors.New("the demo needs a local DynamoDB-API server: give -dynamodb or set SHADOWREAD_DYNAMODB_ENDPOINT (scripts/with-servers.sh starts dynalite)")
	}
	cfg.PostgresURL, cfg.DynamoDBEndpoint = st.pg, st.dynamodb

	dir, err := os.MkdirTemp("", "shadowread-demo-")
	if err != nil {
		return err
	}
	log, err := os.Create(filepath.Join(dir, "catalog.log"))
	if err != nil {
		return err
	}
	defer log.Close()
	// Libraries that write to the process's stderr themselves (flagd's
	// in-process provider does) would break the progress display: their
	// lines go to the log as well.
	restore, err := redirectStderr(log)
	if err != nil {
		return err
	}
	defer restore()
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		fmt.Fprintf(log, "%s opentelemetry: %v\n", time.Now().Format(time.RFC3339Nano), err)
	}))
	cfg.Dir, cfg.Log, cfg.Out = dir, log, demo.NewPrinter(os.Stdout)

	pass, err := demo.Run(ctx, cfg)
	if err != nil {
		return fmt.Errorf("demo: %w (logs: %s)", err, log.Name())
	}
	if !pass {
		return errFailed
	}
	return nil
}
