package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/shadowread/shadowread/bench/internal/shop"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	var usage usageError
	switch {
	case errors.As(err, &usage):
		fmt.Fprintln(os.Stderr, "service:", err)
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "service:", err)
		os.Exit(1)
	}
}

// usageError is a mistake on the command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

const usage = "usage: service seed|probe|serve [flags] (service CMD -h lists the flags)"

// run runs one subcommand; stdout receives its result line.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return usageError{usage}
	}
	fs := flag.NewFlagSet("service "+args[0], flag.ContinueOnError)
	pgURL := fs.String("pg", "", "PostgreSQL URL")
	ddbURL := fs.String("ddb", "", "DynamoDB endpoint (http://host:port)")
	table := fs.String("table", "", "DynamoDB table")
	size := shop.Size{}
	fs.IntVar(&size.Products, "products", defaultSize.Products, "products in the shop")
	parse := func(need ...*string) error {
		if err := fs.Parse(args[1:]); err != nil {
			return usageError{err.Error()}
		}
		for _, p := range need {
			if *p == "" {
				return usageError{fmt.Sprintf("%s needs -pg, -ddb and -table as its command requires; see -h", fs.Name())}
			}
		}
		return nil
	}

	switch args[0] {
	case "seed":
		fs.IntVar(&size.Customers, "customers", defaultSize.Customers, "customers")
		fs.IntVar(&size.Orders, "orders", defaultSize.Orders, "orders")
		if err := parse(pgURL, ddbURL, table); err != nil {
			return err
		}
		return seed(ctx, *pgURL, *ddbURL, *table, size, stdout)
	case "probe":
		reads := fs.Int("reads", 300, "product reads to time")
		if err := parse(ddbURL, table); err != nil {
			return err
		}
		return probe(ctx, *ddbURL, *table, size.Products, *reads, stdout)
	case "serve":
		cfg := serveConfig{}
		fs.StringVar(&cfg.mode, "mode", "", "what wraps the read routes: none, shadow, experiment or dynamodb")
		fs.Float64Var(&cfg.samplePercent, "sample", 0, "share of customers shadowed, 0 to 100 (mode shadow)")
		fs.Float64Var(&cfg.guard, "guard", 0, "latency guard tolerance, e.g. 1.2; 0 leaves the guard off (mode shadow)")
		fs.StringVar(&cfg.addr, "addr", "127.0.0.1:0", "address of the shop")
		fs.StringVar(&cfg.debugAddr, "debug-addr", "127.0.0.1:0", "address of the debug endpoints")
		if err := parse(pgURL, ddbURL, table); err != nil {
			return err
		}
		cfg.pgURL, cfg.ddbURL, cfg.table = *pgURL, *ddbURL, *table
		return serve(ctx, cfg, stdout)
	}
	return usageError{fmt.Sprintf("unknown command %q; %s", args[0], usage)}
}
