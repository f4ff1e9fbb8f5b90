package cutover

import (
	"fmt"
	"time"
)

// Action is what the controller did with a route at one interval.
type Action string

const (
	ActionHold     Action = "hold"     // the route stays where it is
	ActionStep     Action = "step"     // the first step, from 0%
	ActionPromote  Action = "promote"  // the next step, after a held one
	ActionComplete Action = "complete" // the last step held: the route is done
	ActionRollback Action = "rollback" // a gate failed: back to the last good step, or 0%
	ActionResume   Action = "resume"   // the state was recovered from the flag values
)

// RouteStatus is where one route stands.
type RouteStatus struct {
	Route string `json:"route"`
	// Share is the route's primary share, in percent; Step its index in
	// the plan (-1 at 0%), Good the last step whose hold passed (-1: none).
	Share float64 `json:"share"`
	Step  int     `json:"step"`
	Good  int     `json:"good"`
	// Since is when the current step, or the hold after a rollback, began.
	Since time.Time `json:"since"`
	// Failures counts the rollbacks; Halted reports that they reached the
	// maximum, so the route stays at 0%. Complete reports that the last
	// step held; a complete route's gates are still checked, and a failure
	// rolls it back.
	Failures int  `json:"failures"`
	Halted   bool `json:"halted"`
	Complete bool `json:"complete"`
	// Action and Results are the last interval's decision and gate results.
	Action  Action   `json:"action"`
	Results []Result `json:"results"`
	// Why explains Action in one line.
	Why string `json:"why"`
}

// decide moves st by one interval's verdict. plan is the controller's plan.
func (c *Controller) decide(st RouteStatus, results []Result, verdict Verdict, now time.Time) RouteStatus {
	st.Results = results
	plan := c.cfg.plan
	switch {
	case st.Halted:
		return holdAt(st, fmt.Sprintf("halted at 0%% after %d rollbacks; restart the controller to try again", st.Failures))
	case verdict == Fail && st.Step >= 0:
		st.Complete = false
		return c.rollback(st, now)
	case st.Complete:
		// Still watched: PostgreSQL is the shadow until the primary flag
		// itself moves, so a failure still rolls back.
		return holdAt(st, "complete; the gates are still watched")
	case st.Step < 0 && now.Before(st.Since.Add(c.cfg.hold)) && st.Failures > 0:
		return holdAt(st, fmt.Sprintf("rolled back; holding until %s", st.Since.Add(c.cfg.hold).Format(time.RFC3339)))
	case verdict != Pass:
		return holdAt(st, firstNot(results, Pass))
	case st.Step < 0:
		return moveTo(st, ActionStep, 0, plan, now, "start gates pass")
	case now.Before(st.Since.Add(c.cfg.hold)):
		return holdAt(st, fmt.Sprintf("gates pass; holding %g%% until %s", st.Share, st.Since.Add(c.cfg.hold).Format(time.RFC3339)))
	case st.Step == len(plan)-1:
		st.Good, st.Complete, st.Action = st.Step, true, ActionComplete
		st.Why = "the last step held: every user of the route is on DynamoDB"
		return st
	}
	st.Good = st.Step
	return moveTo(st, ActionPromote, st.Step+1, plan, now, fmt.Sprintf("%g%% held for %v", st.Share, c.cfg.hold))
}

// rollback moves st back to its last good step, or to 0% once it has
// failed the maximum number of times.
func (c *Controller) rollback(st RouteStatus, now time.Time) RouteStatus {
	st.Failures++
	why := firstNot(st.Results, Pass, Wait)
	target := st.Good
	if st.Failures >= c.cfg.maxFailures {
		target = -1
		st.Halted = true
		why += fmt.Sprintf("; %d rollbacks, halting at 0%%", st.Failures)
	}
	if target == st.Step { // the good step itself failed: one further back
		target--
		st.Good = target
	}
	return moveTo(st, ActionRollback, target, c.cfg.plan, now, why)
}

// moveTo puts st on step (-1 for 0%) from now on.
func moveTo(st RouteStatus, a Action, step int, plan []float64, now time.Time, why string) RouteStatus {
	st.Step, st.Since, st.Action, st.Why = step, now, a, why
	st.Share = shareOf(plan, step)
	return st
}

func holdAt(st RouteStatus, why string) RouteStatus {
	st.Action, st.Why = ActionHold, why
	return st
}

// shareOf is the share of step; -1 is 0%.
func shareOf(plan []float64, step int) float64 {
	if step < 0 {
		return 0
	}
	return plan[step]
}

// stepOf is the highest step whose share is at most share; -1 below the
// first.
func stepOf(plan []float64, share float64) int {
	step := -1
	for i, p := range plan {
		if p <= share {
			step = i
		}
	}
	return step
}

// firstNot returns the reason of the first result whose verdict is none of
// skip, e.g. the first failure.
func firstNot(results []Result, skip ...Verdict) string {
	for _, r := range results {
		if !contains(skip, r.Verdict) {
			return r.Gate + ": " + r.Reason
		}
	}
	return "no gate"
}

func contains(vs []Verdict, v Verdict) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}
