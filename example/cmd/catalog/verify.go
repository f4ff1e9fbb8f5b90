package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/shadowread/shadowread/example/internal/demo"
	"github.com/shadowread/shadowread/example/internal/verification"
	"github.com/shadowread/shadowread/verify"
)

func verifyStores(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	st := storeFlags(fs)
	fresh := fs.Bool("new", false, "start a new run even if the last one is unfinished (default: join or resume it)")
	size := fs.Int("range", verify.DefaultRangeSize, "ids per key range of a new run")
	segments := fs.Int("segments", verify.DefaultSegments, "DynamoDB parallel-scan segments of a new run")
	rate := fs.Float64("rate", 0, "entities read per second by this process; 0: no bound")
	lease := fs.Duration("lease", verify.DefaultLease, "how long a unit stays with a worker that stopped answering")
	jsonOut := fs.String("json", "", "also write the report as JSON to this file, for a CI job or a cutover gate")
	repair := fs.Bool("repair", false, "copy the entities found different from PostgreSQL again (write mode both)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	pg, ddb, closeAll, err := openStores(ctx, st)
	if err != nil {
		return err
	}
	defer closeAll()
	out := demo.NewPrinter(os.Stdout)
	v := verification.NewVerifier(pg, ddb, verify.WithRangeSize(*size), verify.WithSegments(*segments), verify.WithRate(*rate),
		verify.WithLease(*lease), verify.WithProgress(demo.VerifyProgress(out)))
	run, finished, err := v.Latest(ctx)
	if err != nil {
		return err
	}
	if *fresh || run == 0 || finished {
		if run, err = v.NewRun(ctx); err != nil {
			return err
		}
		fmt.Printf("verification run %d: ranges of %d ids, %d scan segments; more workers: catalog verify (they join it)\n", run, *size, *segments)
	} else {
		fmt.Printf("verification run %d is unfinished: joining it\n", run)
	}
	r, err := v.Work(ctx, run)
	out.Done()
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted; run catalog verify again to resume run %d", run)
		}
		return err
	}
	demo.WriteVerifyReport(out, r)
	fmt.Printf("      %s\n", demo.FindingSummary(r))
	if *jsonOut != "" {
		if err := writeJSONReport(*jsonOut, r); err != nil {
			return err
		}
	}
	diffs := r.Differences()
	if *repair && len(diffs) > 0 {
		n, err := verification.RepairFindings(ctx, pg, ddb, diffs)
		fmt.Printf("repaired %d entities in DynamoDB\n", n)
		return err
	}
	if len(diffs) > 0 {
		return errFailed
	}
	return nil
}

func writeJSONReport(path string, r verify.Report) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := r.WriteJSON(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
