package demo

import (
	"fmt"
	"strings"
	"time"

	"github.com/shadowread/shadowread/example/catalog"
)

// VerifyProgress returns a progress function that draws a bar over the
// run's units, with the run's rate and an ETA.
func VerifyProgress(out *Printer) func(catalog.VerifyProgress) {
	every := 100 * time.Millisecond
	if !out.Terminal() {
		every = 5 * time.Second
	}
	var last time.Time
	return func(p catalog.VerifyProgress) {
		if time.Since(last) < every && p.UnitsDone < p.Units {
			return
		}
		last = time.Now()
		eta := ""
		if p.ETA > 0 {
			eta = "ETA " + Seconds(p.ETA.Round(100*time.Millisecond))
		}
		out.Progress("      %s %3d%%  %s/%s units (%s)  %s entities  %s entities/s  %s",
			Bar(int64(p.UnitsDone), int64(p.Units), 30), 100*p.UnitsDone/max(p.Units, 1), Count(p.UnitsDone), Count(p.Units),
			p.Phase, Count(p.Entities), Count(int64(p.Rate)), eta)
	}
}

// WriteVerifyReport prints a finished run: counts, ranges compared and
// every finding with its signature.
func WriteVerifyReport(out *Printer, r catalog.VerifyReport) {
	out.Printf("      run %d: %s PostgreSQL rows, %s DynamoDB entities (%s items); %d of %d ranges differed and were compared entity by entity\n",
		r.Run, Count(r.PostgresRows), Count(r.DynamoDBEntities), Count(r.DynamoDBItems), r.Differing, r.Ranges)
	for _, f := range r.Findings {
		out.Printf("      %-20s %-7s %6d  %s  %s\n", f.Kind, f.Entity, f.ID, f.Signature, strings.Join(f.Fields, ", "))
	}
}

// FindingSummary counts a run's findings by kind, on one line.
func FindingSummary(r catalog.VerifyReport) string {
	n := map[string]int{}
	for _, f := range r.Findings {
		n[f.Kind]++
	}
	var parts []string
	for _, k := range []string{catalog.FindingMissing, catalog.FindingExtra, catalog.FindingChanged, catalog.FindingAbsorbed} {
		parts = append(parts, fmt.Sprintf("%d %s", n[k], k))
	}
	return strings.Join(parts, ", ")
}
