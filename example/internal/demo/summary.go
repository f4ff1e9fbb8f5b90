package demo

import (
	"strings"
	"time"

	"github.com/shadowread/shadowread/example/internal/app"
)

// printSetup prints where the stores, the service and its files are.
func (d *demoRun) printSetup() {
	out := d.out
	out.Printf("shadowread demo: a catalog service moving from PostgreSQL to DynamoDB, behind two flags\n\n")
	out.Printf("  stores   PostgreSQL database %s, DynamoDB table %s at %s\n", d.dbName, d.app.DynamoDB.Table(), d.cfg.DynamoDBEndpoint)
	out.Printf("  service  %s (admin %s: report %s, metrics %s)\n", d.base, d.admin, app.PathReport, app.PathMetrics)
	out.Printf("  files    %s (flags.json: the live flag file; catalog.log: service logs)\n", d.cfg.Dir)
	out.Printf("  traces   %s\n", app.TraceDestination(d.tracePath, traceRatio))
	if SeparateWriteKeys {
		out.Printf("  writes   on keys reads never touch (SeparateWriteKeys = true)\n\n")
	} else {
		out.Printf("  writes   on the keys reads use, but never on drifted keys (a write would repair them)\n\n")
	}
}

// printReport prints the report of the shadow reads after the phases.
func (d *demoRun) printReport() {
	out, a := d.out, d.app
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
}

// printOutcome prints PASS or FAIL and where the report page is.
func (d *demoRun) printOutcome(failed []string) {
	out := d.out
	if len(failed) == 0 {
		out.Printf("\nPASS: PostgreSQL only to DynamoDB only; every injected difference found, nothing else; 0 lost writes, 0 stale reads.\n")
	} else {
		out.Printf("\nFAIL: %s (the evidence is under each FAIL line; logs: catalog.log in %s)\n", strings.Join(failed, ", "), d.cfg.Dir)
	}
	if d.cfg.Keep {
		out.Printf("Serving until interrupted (Ctrl-C): %s/products/%d, %s%s\n", d.base, d.keys.ReaderProducts[0], d.admin, app.PathReport)
	} else {
		out.Printf("Report page: %s%s (JSON: ?format=json)\n", d.admin, app.PathReport)
		out.Printf("DEMO_KEEP=1 make demo keeps the service running after the report.\n")
	}
}
