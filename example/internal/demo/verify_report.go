package demo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shadowread/shadowread/example/internal/catalog"
	"github.com/shadowread/shadowread/example/internal/verification"
	"github.com/shadowread/shadowread/verify"
)

// VerifyProgress returns a progress function that draws a bar over the
// run's units, with the run's rate and an ETA.
func VerifyProgress(out *Printer) func(verify.Progress) {
	every := 100 * time.Millisecond
	if !out.Terminal() {
		every = 5 * time.Second
	}
	var last time.Time
	return func(p verify.Progress) {
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

// WriteVerifyReport prints a run: counts, ranges compared, and the
// findings grouped by kind, problem, signature and triage.
func WriteVerifyReport(out *Printer, r verify.Report) {
	out.Printf("      run %d: PostgreSQL %s entities (%s items), DynamoDB %s entities (%s items); %d of %d ranges differed and were compared entity by entity\n",
		r.Run, Count(r.Source.Entities), Count(r.Source.Items), Count(r.Target.Entities), Count(r.Target.Items), r.Differing, r.Ranges)
	for _, g := range r.Groups() {
		triage := string(g.Triage)
		if triage == "" {
			triage = "-"
		}
		out.Printf("      %-8s %-18s %3d  triage %-14s %-16s %-24s ids %v\n", g.Kind, g.Problem, g.Count, triage, g.Signature,
			strings.Join(g.Fields, ","), g.IDs)
	}
}

// FindingSummary counts a run's findings per triage, on one line.
func FindingSummary(r verify.Report) string {
	by := r.ByTriage()
	var parts []string
	for _, t := range []string{string(verify.ProblemAbsorbed), "data_loss", "unknown", "representation", "none"} {
		parts = append(parts, fmt.Sprintf("%d %s", by[t], t))
	}
	return "findings by triage: " + strings.Join(parts, ", ")
}

// verify compares the stores as a whole; it must find every real drift,
// read or not, as the problem it is, and nothing else.
func (d *demoRun) verify(ctx context.Context) (verdict, error) {
	r, took, err := d.runVerify(ctx)
	if err != nil {
		return verdict{}, err
	}
	d.verifyReport, d.verifyTook = r, took
	d.verifyEntities = r.Source.Entities + r.Target.Entities
	WriteVerifyReport(d.out, r)
	d.out.Printf("      %s\n", FindingSummary(r))
	found, absorbed, real := 0, 0, 0
	v := verdict{ok: true}
	for _, dr := range d.drifts {
		if !dr.Benign {
			real++
		}
		fs := findingsOf(r, dr.Entity, dr.ID)
		differs := slices.ContainsFunc(fs, func(f verify.Finding) bool { return f.Problem != verify.ProblemAbsorbed })
		switch {
		case dr.Benign && differs:
			v.check(false, "representation difference reported as a difference: %s %d (%s): %v", dr.Entity, dr.ID, dr.What, problemsOf(fs))
		case dr.Benign:
			absorbed++
		case !differs:
			v.check(false, "missed: %s %d (%s)", dr.Entity, dr.ID, dr.What)
		case dr.Problem != "" && !slices.ContainsFunc(fs, func(f verify.Finding) bool { return f.Problem == dr.Problem }):
			v.check(false, "%s %d (%s) found as %v, want %s", dr.Entity, dr.ID, dr.What, problemsOf(fs), dr.Problem)
		default:
			found++
		}
	}
	for _, f := range r.Differences() {
		if !d.injected(catalog.Entity(f.Kind), f.ID) {
			v.check(false, "difference nobody injected: %s %d %s %s", f.Kind, f.ID, f.Problem, strings.Join(f.Fields, ","))
		}
	}
	v.says = fmt.Sprintf("found %d of %d real differences (%d findings); %d representation differences absorbed; %s entities in %s (%s/s), %d of %d ranges compared entity by entity",
		found, real, len(r.Differences()), absorbed, Count(d.verifyEntities), Seconds(took),
		Count(int64(float64(d.verifyEntities)/max(took.Seconds(), 1e-3))), r.Differing, r.Ranges)
	return v, nil
}

// runVerify creates a run and works it with two workers, as two processes
// would.
func (d *demoRun) runVerify(ctx context.Context) (verify.Report, time.Duration, error) {
	t := time.Now()
	run, err := verification.NewVerifier(d.app.Postgres, d.app.DynamoDB).NewRun(ctx)
	if err != nil {
		return verify.Report{}, 0, err
	}
	type result struct {
		r   verify.Report
		err error
	}
	results := make(chan result, 2)
	progress := VerifyProgress(d.out)
	for i := range 2 {
		var opts []verify.Option
		if i == 0 {
			opts = append(opts, verify.WithProgress(progress))
		}
		go func() {
			r, err := verification.NewVerifier(d.app.Postgres, d.app.DynamoDB, opts...).Work(ctx, run)
			results <- result{r, err}
		}()
	}
	first, second := <-results, <-results
	d.out.Done()
	if err := errors.Join(first.err, second.err); err != nil {
		return verify.Report{}, 0, err
	}
	return first.r, time.Since(t), nil
}

func findingsOf(r verify.Report, e catalog.Entity, id int64) []verify.Finding {
	var out []verify.Finding
	for _, f := range r.Findings {
		if f.Kind == string(e) && f.ID == id {
			out = append(out, f)
		}
	}
	return out
}

func problemsOf(fs []verify.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Problem)
	}
	return out
}

func (d *demoRun) injected(e catalog.Entity, id int64) bool {
	for _, dr := range d.drifts {
		if dr.Entity == e && dr.ID == id && !dr.Benign {
			return true
		}
	}
	return false
}
