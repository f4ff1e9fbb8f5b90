// Command catalog runs the example service of shadowread and the tools
// around its migration from PostgreSQL to DynamoDB.
//
//	catalog serve     serve the catalog with shadow reads
//	catalog seed      fill PostgreSQL with generated products, customers and orders
//	catalog backfill  copy PostgreSQL to DynamoDB, resumable, never overwriting newer items
//	catalog repair    replay the repair logs (the service's worker does it too)
//	catalog verify    compare both stores as a whole; any number of processes share a run
//	catalog demo      all of it against throwaway servers, with load and a report
//
// The stores come from -pg and -dynamodb, which default to the variables
// that scripts/with-servers.sh sets (SHADOWREAD_PG_URL and
// SHADOWREAD_DYNAMODB_ENDPOINT). Without a DynamoDB endpoint, the AWS SDK's
// usual configuration (region, credentials) is used.
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
)

// command is one subcommand.
type command struct {
	name, summary string
	run           func(ctx context.Context, args []string) error
}

var commands = []command{
	{"serve", "serve the catalog with shadow reads", serve},
	{"seed", "fill PostgreSQL with generated data", seed},
	{"backfill", "copy PostgreSQL to DynamoDB", runBackfill},
	{"repair", "replay the repair logs into the store each is for", runRepair},
	{"verify", "compare the stores as a whole (joins or resumes an unfinished run)", verifyStores},
	{"demo", "seed, backfill, drift, load and report against local servers", demoCmd},
}

// errFailed is returned by a command that ran but whose check failed; its
// output said why.
var errFailed = errors.New("failed")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stderr)
	stop()
	switch {
	case err == nil:
	case errors.Is(err, errFailed), errors.Is(err, flag.ErrHelp):
		os.Exit(1)
	default:
		fmt.Fprintln(stderr, "catalog:", err)
		os.Exit(1)
	}
}

// stderr is where errors go; the demo points it away from file descriptor
// 2, which it gives to the service's logs.
var stderr io.Writer = os.Stderr

func run(ctx context.Context, args []string, usageOut io.Writer) error {
	if len(args) > 0 {
		for _, c := range commands {
			if c.name == args[0] {
				return c.run(ctx, args[1:])
			}
		}
	}
	fmt.Fprintln(usageOut, "usage: catalog <command> [flags]")
	for _, c := range commands {
		fmt.Fprintf(usageOut, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(usageOut, "Run catalog <command> -h for a command's flags.")
	return flag.ErrHelp
}

// stores are the flags every command has.
type stores struct {
	pg, dynamodb, table string
}

func storeFlags(fs *flag.FlagSet) *stores {
	s := &stores{}
	fs.StringVar(&s.pg, "pg", os.Getenv("SHADOWREAD_PG_URL"), "PostgreSQL URL (default $SHADOWREAD_PG_URL)")
	fs.StringVar(&s.dynamodb, "dynamodb", os.Getenv("SHADOWREAD_DYNAMODB_ENDPOINT"),
		"DynamoDB-API endpoint such as dynalite's; empty: AWS (default $SHADOWREAD_DYNAMODB_ENDPOINT)")
	fs.StringVar(&s.table, "table", "catalog", "DynamoDB table")
	return s
}

func (s *stores) check() error {
	if s.pg == "" {
		return errors.New("no PostgreSQL: give -pg or set SHADOWREAD_PG_URL (scripts/with-servers.sh starts a throwaway server)")
	}
	return nil
}
