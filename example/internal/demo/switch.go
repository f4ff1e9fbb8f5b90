package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/cutover"
	"github.com/shadowread/shadowread/example/internal/catalog"
	"github.com/shadowread/shadowread/example/internal/dualwrite"
	"github.com/shadowread/shadowread/flags"
	"github.com/shadowread/shadowread/telemetry"
	"github.com/shadowread/shadowread/telemetry/report"
)

// SwitchPlan is the primary share of each step of the primary switch, in
// percent: the cutover controller moves each read route through it.
func SwitchPlan() []float64 { return []float64{25, 50, 100} }

const (
	// SwitchHold is how long a step's gates must pass before the next one.
	// It is longer than the re-check delay (app.RecheckAfter, 1 s): a
	// mismatch is counted only after its re-check, so a shorter hold could
	// call a step good before the evidence against it is in. A service
	// holds for hours (cutover.DefaultHold); the demo's seconds are enough
	// for its load, whose moved users are compared dozens of times a
	// second.
	SwitchHold = 2500 * time.Millisecond
	// SwitchInterval is how often the controller checks the gates.
	SwitchInterval = 250 * time.Millisecond
	// SwitchBound is the gates' bound on the failure rate of comparisons:
	// the moved users' (DynamoDB primary) at every step, and before the
	// first step the other users' since the repair. With no failure it
	// takes 29 comparisons to show a rate under it.
	SwitchBound = 0.1
	// SwitchMinRequests is how many sampled requests of each primary the
	// 5xx gate needs.
	SwitchMinRequests = 20
	// rollbackWithin bounds the time from the moment the moved users'
	// evidence fails the reverse gate to the rollback: the next interval,
	// plus what a tick itself takes on a loaded machine.
	rollbackWithin = SwitchInterval + 150*time.Millisecond
	// RegressedRoute meets the injected regression when the controller
	// moves it to RegressAt percent.
	RegressedRoute = catalog.RouteProduct
	RegressAt      = 50.0
	// switchTimeout bounds the phase when the controller does not finish.
	switchTimeout = 90 * time.Second
)

// switchRecorder puts the cutover's in-process evidence and the phase's
// watch beside the tracker: otel is the service's telemetry, whose
// readiness the evidence reads.
func (d *demoRun) switchRecorder(tracker *Tracker, otel telemetry.Recorder) telemetry.Recorder {
	rr, _ := otel.(cutover.ReadinessReader)
	d.local = cutover.NewLocal(rr)
	d.watch = NewSwitchWatch()
	return telemetry.Multi(tracker, d.local, d.watch)
}

// rampStep is a share a route was moved to, and when.
type rampStep struct {
	share  float64
	at     time.Duration // since the phase began
	action cutover.Action
	why    string
}

// switchRun is the state of one primary switch.
type switchRun struct {
	start    time.Time
	ramps    map[string][]rampStep
	injected time.Duration // when the regression was turned on; 0: never
	rollback time.Duration // when the regressed route was rolled back; 0: never
	peak     float64       // the regressed route's highest share
	before   uint64        // the regressed route's mismatches before the injection
	final    map[string]cutover.RouteStatus
	timedOut bool
}

// primarySwitch hands the primary switch to the cutover controller, with
// the in-process evidence and the flag file: every read route climbs
// SwitchPlan while its gates pass; RegressedRoute meets a regression of
// DynamoDB at RegressAt percent and must be rolled back on its own while
// the others finish. The load runs all along: no request may fail, no read
// may be stale, and no mismatch may come but the regression's.
func (d *demoRun) primarySwitch(ctx context.Context) (verdict, error) {
	if err := d.setFlags(flagState{mode: dualwrite.WriteBoth, shadowing: true}); err != nil {
		return verdict{}, err
	}
	d.tracker.StartSwitch()
	d.watch.Reset()
	// Every product page is the regression's: its mismatches are expected.
	for _, id := range d.keys.ReaderProducts {
		d.tracker.Watch("/products/" + strconv.FormatInt(id, 10))
	}
	mismatches := d.tracker.mismatches.Load()
	reverse := cutover.ReverseUnder(SwitchBound)
	d.watch.Detect(reverse)
	c := cutover.New(readRoutes, d.local, cutover.NewFlagFile(d.flagPath), cutover.SoleController(),
		cutover.WithPlan(SwitchPlan()...), cutover.WithHold(SwitchHold), cutover.WithInterval(SwitchInterval),
		// The sliding window keeps the regression's failures for an hour:
		// a retry could only fail again, so the first rollback is final.
		cutover.WithMaxFailures(1),
		cutover.WithStartGates(d.forwardSinceRepair()),
		// dynalite is no model of DynamoDB's latency: the demo gates on
		// the comparisons and the 5xx rate only.
		cutover.WithStepGates(reverse, cutover.ErrorsWithin(0.01, SwitchMinRequests)),
		cutover.WithLogger(d.logger))

	loadCtx, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	type loaded struct {
		stats LoadStats
		err   error
	}
	done := make(chan loaded, 1)
	go func() {
		stats, err := d.load(loadCtx, "", switchTimeout, LoadConfig{})
		done <- loaded{stats, err}
	}()
	sr, err := d.driveSwitch(ctx, c)
	stopLoad()
	res := <-done
	d.regression.Fix()
	if err != nil {
		return verdict{}, err
	}
	if res.err != nil {
		return verdict{}, res.err
	}
	drained := d.drainShadows()
	d.printRamps(sr)
	return d.judgeSwitch(sr, res.stats, d.tracker.mismatches.Load()-mismatches, drained), nil
}

// forwardSinceRepair is the start gate: the route's comparisons with
// PostgreSQL as the primary, since the phase began (after the repair),
// show a failure rate under SwitchBound. The cumulative readiness
// (cutover.ForwardReady) still counts the injected drift's mismatches.
func (d *demoRun) forwardSinceRepair() cutover.Gate {
	return cutover.GateFunc("forward-since-repair", func(_ context.Context, route string, _ cutover.RouteEvidence) (cutover.Verdict, string) {
		n, f := d.watch.Forward(route)
		bound := report.UpperBound(f, n)
		if bound < SwitchBound {
			return cutover.Pass, fmt.Sprintf("postgres→dynamodb bound %.3f over %d comparisons since the repair", bound, n)
		}
		return cutover.Wait, fmt.Sprintf("postgres→dynamodb bound %.3f over %d comparisons since the repair (%d failed)", bound, n, f)
	})
}

// driveSwitch ticks the controller every SwitchInterval until every route
// but RegressedRoute is complete and RegressedRoute is rolled back, and
// turns the regression on when RegressedRoute reaches RegressAt.
func (d *demoRun) driveSwitch(ctx context.Context, c *cutover.Controller) (*switchRun, error) {
	sr := &switchRun{start: time.Now(), ramps: map[string][]rampStep{}, final: map[string]cutover.RouteStatus{}}
	ticker := time.NewTicker(SwitchInterval)
	defer ticker.Stop()
	for {
		if err := c.Tick(ctx); err != nil {
			return nil, err
		}
		at := time.Since(sr.start)
		for _, st := range c.Status() {
			sr.note(st, at)
		}
		reg := sr.final[RegressedRoute]
		sr.peak = max(sr.peak, reg.Share)
		if sr.injected == 0 && reg.Share >= RegressAt {
			_, sr.before = d.watch.Reverse(RegressedRoute)
			_, fwd := d.watch.Forward(RegressedRoute)
			sr.before += fwd
			d.regression.Inject()
			sr.injected = at
		}
		if sr.injected != 0 && sr.rollback == 0 && reg.Action == cutover.ActionRollback {
			sr.rollback = at
			d.regression.Fix() // the fix is deployed; the route stays back
		}
		if sr.finished() {
			return sr, nil
		}
		if at > switchTimeout-time.Second {
			sr.timedOut = true
			return sr, nil
		}
		if d.out.Terminal() { // elsewhere the ramps printed at the end say it
			d.out.Progress("         primary switch %4.1fs  %s", at.Seconds(), sr.shares())
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-ticker.C:
		}
	}
}

// note records st, the route's state at an interval.
func (sr *switchRun) note(st cutover.RouteStatus, at time.Duration) {
	ramp := sr.ramps[st.Route]
	if len(ramp) == 0 || ramp[len(ramp)-1].share != st.Share {
		sr.ramps[st.Route] = append(ramp, rampStep{share: st.Share, at: at, action: st.Action, why: st.Why})
	}
	sr.final[st.Route] = st
}

// finished reports whether every route but RegressedRoute is complete and
// RegressedRoute was rolled back.
func (sr *switchRun) finished() bool {
	for _, route := range readRoutes {
		st := sr.final[route]
		if route == RegressedRoute && sr.rollback == 0 || route != RegressedRoute && !st.Complete {
			return false
		}
	}
	return true
}

func (sr *switchRun) shares() string {
	var parts []string
	for _, route := range readRoutes {
		parts = append(parts, fmt.Sprintf("%s %g%%", route, sr.final[route].Share))
	}
	return strings.Join(parts, ", ")
}

// printRamps prints each route's steps with their times since the phase
// began.
func (d *demoRun) printRamps(sr *switchRun) {
	d.out.Printf("         controller: plan %s %%, hold %s, every %s; evidence in-process, shares in %s\n",
		strings.Trim(strings.ReplaceAll(fmt.Sprint(SwitchPlan()), " ", ", "), "[]"), Seconds(SwitchHold), SwitchInterval, flags.KeyPrimaryPercent)
	for _, route := range slices.Sorted(maps.Keys(sr.ramps)) {
		var steps []string
		for _, s := range sr.ramps[route] {
			step := fmt.Sprintf("%g%% at %s", s.share, Seconds(s.at))
			if s.action == cutover.ActionRollback {
				step += " (rollback)"
			}
			steps = append(steps, step)
		}
		st := sr.final[route]
		end := "complete"
		switch {
		case st.Halted:
			end = "rolled back: " + st.Why
		case !st.Complete:
			end = "not complete: " + st.Why
		}
		d.out.Printf("         %-31s %s; %s\n", route, strings.Join(steps, " → "), end)
	}
	if sr.injected != 0 {
		d.out.Printf("         regression on %s at %s (DynamoDB answers %d product pages with wrong names); rolled back %s later\n",
			RegressedRoute, Seconds(sr.injected), d.regression.Regressed(), Seconds(sr.rollback-sr.injected))
	}
	if first, ok := d.watch.FirstReverseMismatch(RegressedRoute); ok && sr.rollback != 0 {
		// A mismatch is recorded after its re-check: the time before it is
		// the re-check's, the time after it the evidence's and the
		// controller's.
		d.out.Printf("         first mismatch of a moved user recorded at %s, %s before the rollback\n",
			Seconds(first.Sub(sr.start)), Seconds(sr.start.Add(sr.rollback).Sub(first)))
	}
	if detected, ok := sr.detection(d.watch); ok {
		d.out.Printf("         the moved users' evidence failed %s at %s; the controller rolled back %s later (interval %s)\n",
			"reverse-bound", Seconds(detected), (sr.rollback - detected).Round(time.Millisecond), SwitchInterval)
	}
}

// detection returns when, after the phase's start, the moved users'
// evidence on RegressedRoute first failed the reverse gate.
func (sr *switchRun) detection(w *SwitchWatch) (time.Duration, bool) {
	at, ok := w.Detected(RegressedRoute)
	if !ok || sr.rollback == 0 {
		return 0, false
	}
	return at.Sub(sr.start), true
}

// judgeSwitch is the phase's verdict.
func (d *demoRun) judgeSwitch(sr *switchRun, stats LoadStats, mismatches uint64, drained bool) verdict {
	var others uint64
	for _, route := range readRoutes {
		if route == RegressedRoute {
			continue
		}
		_, f := d.watch.Forward(route)
		_, r := d.watch.Reverse(route)
		others += f + r
	}
	_, regF := d.watch.Forward(RegressedRoute)
	_, regR := d.watch.Reverse(RegressedRoute)
	reg := sr.final[RegressedRoute]
	var complete []string
	for _, route := range readRoutes {
		if st := sr.final[route]; st.Complete && st.Share == 100 {
			complete = append(complete, route)
		}
	}
	v := pass("%d of %d routes at 100%% by the controller; %s rolled back from %g%% to %g%% %s after the injected regression (%d mismatches, all its own); %s requests, %d orders and %d prices written: %d failed, %d stale reads (404)",
		len(complete), len(readRoutes), RegressedRoute, sr.peak, reg.Share, Seconds(sr.rollback-sr.injected), regF+regR,
		Count(stats.Requests), len(stats.PlacedOrders), len(stats.RepricedProducts), stats.Errors, stats.NotFound)
	v.check(!sr.timedOut, "the controller did not finish within %s: %s", switchTimeout, sr.shares())
	for _, route := range readRoutes {
		if st := sr.final[route]; route != RegressedRoute && !(st.Complete && st.Share == 100) {
			v.check(false, "%s ended at %g%%, not complete: %s", route, st.Share, st.Why)
		}
	}
	v.check(sr.injected != 0, "%s never reached %g%%, where the regression waits", RegressedRoute, RegressAt)
	v.check(sr.injected == 0 || sr.rollback != 0, "%s was not rolled back after the regression: %s", RegressedRoute, reg.Why)
	if detected, ok := sr.detection(d.watch); ok {
		v.check(sr.rollback-detected <= rollbackWithin, "%s rolled back %s after its evidence failed the reverse gate, want within %s (the interval, and the tick's own time)",
			RegressedRoute, Seconds(sr.rollback-detected), Seconds(rollbackWithin))
	} else {
		v.check(sr.rollback == 0, "%s rolled back before its evidence failed the reverse gate", RegressedRoute)
	}
	v.check(sr.peak < 100 && reg.Share < RegressAt, "%s reached %g%% and ended at %g%%, want rolled back below %g%%", RegressedRoute, sr.peak, reg.Share, RegressAt)
	v.check(regF+regR > 0, "the regression on %s caused no mismatch", RegressedRoute)
	v.check(sr.before == 0, "%s had %d mismatches before the regression", RegressedRoute, sr.before)
	v.check(others == 0, "%d mismatches on the routes without the regression", others)
	v.check(mismatches == regF+regR, "%d mismatches in all, %d of them the regression's", mismatches, regF+regR)
	v.check(stats.Errors == 0, "primary switch: %d requests failed", stats.Errors)
	v.check(stats.NotFound == 0, "primary switch: %d reads answered 404", stats.NotFound)
	v.check(drained, "primary switch: shadows still running 10s after the load")
	v.check(d.tracker.PrimaryShare(RegressedRoute, backends.DynamoDB) > 0, "no sampled request of %s was served by DynamoDB", RegressedRoute)
	return v
}

// primaryShareFlag is the flag file data with the primary-percent flag at
// 0 for every route: the phases after the switch set the primary flag
// itself, and a share left from the switch must not move the users the
// rollback drill sends back to PostgreSQL.
func primaryShareFlag(data []byte) ([]byte, error) {
	return setFlagJSON(data, flags.KeyPrimaryPercent, map[string]any{
		"state": "ENABLED", "variants": map[string]any{"0": 0}, "defaultVariant": "0",
	})
}

// setFlagJSON is data with the flag key set to flag.
func setFlagJSON(data []byte, key string, flag map[string]any) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("demo: flag file: %w", err)
	}
	all, ok := doc["flags"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("demo: flag file without flags")
	}
	all[key] = flag
	return json.MarshalIndent(doc, "", "  ")
}
