package load

import (
	"strings"
	"testing"
	"time"
)

func TestFloorResolve(t *testing.T) {
	quiet := Floor{Rounds: []float64{0.98, 1.01, 1.03, 0.99, 1.00, 1.02}}
	noisy := Floor{Rounds: []float64{0.47, 1.20, 2.34, 0.90, 1.10, 0.80}}
	below := Floor{Rounds: []float64{0.25, 0.79, 0.40, 0.31, 0.60, 0.50}}
	tests := []struct {
		name   string
		floor  Floor
		ratio  float64
		limit  float64
		want   Verdict
		reason string
	}{
		{"quiet, well within", quiet, 1.00, 1.10, VerdictMet, "1.00 ≤ 1.10 × 0.98"},
		{"quiet, well over", quiet, 1.20, 1.10, VerdictMissed, "1.20 > 1.10 × 1.03"},
		{"quiet, at the limit", quiet, 1.10, 1.10, VerdictUnresolved, "between 1.10 × 0.98 and 1.10 × 1.03"},
		{"noisy, near 1", noisy, 1.03, 1.10, VerdictUnresolved, "a floor of 0.47–2.34x could have made 1.03 of a ratio at the limit"},
		{"noisy, far below", noisy, 0.43, 1.10, VerdictMet, "0.43 ≤ 1.10 × 0.47: even the noisiest round would not lift it over"},
		{"noisy, far above", noisy, 2.70, 1.10, VerdictMissed, "2.70 > 1.10 × 2.34"},
		{"floor below 1, far above", below, 1.21, 1.10, VerdictMissed, "the range widened to 1: 1.21 > 1.10 × 1"},
		{"floor below 1, under the limit", below, 0.43, 1.10, VerdictUnresolved, "0.43 is over 1.10 × 0.25, and the slow variant 1 may have pulled it down"},
		{"two rounds", Floor{Rounds: []float64{1.00, 1.01}}, 1.00, 1.10, VerdictUnresolved, "fewer rounds than a floor needs"},
		{"no floor", Floor{}, 1.00, 1.10, VerdictUnresolved, "variant 1' did not run"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.floor.Resolve(tt.ratio, tt.limit); got != tt.want {
				t.Errorf("Resolve(%.2f, %.2f) with floor %v = %v, want %v (%s)", tt.ratio, tt.limit, tt.floor.Rounds, got, tt.want, tt.reason)
			}
		})
	}
}

func TestFloorString(t *testing.T) {
	tests := []struct {
		floor Floor
		want  string
	}{
		{Floor{Rounds: []float64{0.79, 0.25, 0.5}}, "0.25–0.79x per round"},
		{Floor{Rounds: []float64{1.2}}, "1.20x in its one round"},
		{Floor{}, "not measured"},
	}
	for _, tt := range tests {
		if got := tt.floor.String(); got != tt.want {
			t.Errorf("%v: %q, want %q", tt.floor.Rounds, got, tt.want)
		}
	}
}

// noisyReport is the sample report with a floor of 0.47–2.34x at p99:
// variant 1' against variant 1 moved more than any target's margin.
func noisyReport() *Report {
	r := sampleReport()
	ms := time.Millisecond
	again := r.variant(KeyBareAgain)
	again.Rounds = []Result{
		resultOf(spread(2*ms, 4700*time.Microsecond, 30*ms)...),
		resultOf(spread(2*ms, 23400*time.Microsecond, 30*ms)...),
		resultOf(spread(2*ms, 10*ms, 20*ms)...),
	}
	return r
}

// loadChecks returns the checks of the load targets, by target.
func loadChecks(r *Report) map[string]Check {
	out := map[string]Check{}
	for _, c := range r.Checks() {
		if strings.HasPrefix(c.Target, "Load") {
			out[c.Target] = c
		}
	}
	return out
}

// TestChecksQuietFloor checks that a run whose no-middleware variant
// measured against itself within 1.00–1.05x resolves every load target.
func TestChecksQuietFloor(t *testing.T) {
	checks := loadChecks(sampleReport())
	if len(checks) != 4 {
		t.Fatalf("%d load checks, want 4", len(checks))
	}
	for target, c := range checks {
		if c.Unresolved {
			t.Errorf("%s: unresolved with a floor of 1.00–1.05x: %s", target, c.Measured)
		}
		if !strings.Contains(c.Measured, "1.00–1.05x per round") {
			t.Errorf("%s: the floor is not beside the ratio: %s", target, c.Measured)
		}
		if strings.Contains(c.Measured, "cannot resolve") {
			t.Errorf("%s: says it cannot resolve a resolved figure: %s", target, c.Measured)
		}
	}
}

// TestChecksNoisyFloor checks that a run whose floor spread 0.47–2.34x
// says of every load target that it cannot resolve it.
func TestChecksNoisyFloor(t *testing.T) {
	checks := loadChecks(noisyReport())
	if len(checks) != 4 {
		t.Fatalf("%d load checks, want 4", len(checks))
	}
	for target, c := range checks {
		if !c.Unresolved || c.Met {
			t.Errorf("%s: unresolved %v, met %v; want unresolved and not met: %s", target, c.Unresolved, c.Met, c.Measured)
		}
		for _, want := range []string{"0.47–2.34x per round", "cannot resolve: no middleware against itself moved 0.47–2.34x per round"} {
			if !strings.Contains(c.Measured, want) {
				t.Errorf("%s: no %q in %s", target, want, c.Measured)
			}
		}
	}
	// 6b's 1.40x against 1.30x: only ≤ 1.30 × 0.47 would meet it, only
	// over 1.30 × 2.34 miss it.
	guarded := checks["Load, DynamoDB replayed: p99 at 100% sampling, latency guard on"]
	if !strings.Contains(guarded.Measured, "only a ratio ≤ 0.61x would meet the limit and only one > 3.05x miss it") {
		t.Errorf("the 100%% replayed check does not say what this floor could resolve: %s", guarded.Measured)
	}
}

// TestMarkdownFloor checks that the report puts the floor beside each
// ratio against variant 1 and says "unresolved" where the run cannot
// resolve a target.
func TestMarkdownFloor(t *testing.T) {
	md := noisyReport().Markdown()
	rows := func(prefix string) []string {
		var out []string
		for _, line := range strings.Split(md, "\n") {
			if strings.HasPrefix(line, prefix) {
				out = append(out, line)
			}
		}
		return out
	}
	loadRows := append(rows("| 4 | Load"), rows("| Load")...)
	if len(loadRows) != 4 {
		t.Fatalf("%d rows of load targets, want 4:\n%s", len(loadRows), md)
	}
	for _, row := range loadRows {
		if !strings.Contains(row, "floor (no middleware against itself)") || !strings.HasSuffix(row, "| unresolved |") {
			t.Errorf("a load target's row without its floor or not unresolved: %s", row)
		}
	}
	floors := rows("| floor: 1' against 1, per round |")
	if len(floors) != 2 {
		t.Fatalf("%d floor rows, want one in the load table and one in the replayed section", len(floors))
	}
	// The load table: p50, p99 and p99.9 per round; p99 is the noisy one.
	if !strings.Contains(floors[0], "| 1.00–1.00 | 0.47–2.34 | 1.00–1.50 |") {
		t.Errorf("the load table's floor row: %s", floors[0])
	}
	// The replayed section: p99 from the due time and from the send.
	if !strings.Contains(floors[1], "| 0.47–2.34 | 0.47–2.34 |") {
		t.Errorf("the replayed section's floor row: %s", floors[1])
	}
	// Within a floor of 0.47–2.34x, the slow shadow's 1.20x at p99 cannot
	// be told from no middleware; the synchronous variant's 2.99x can.
	for _, tt := range []struct{ row, cell string }{
		{"| 3 shadow 100%, shadow 10x slower |", "| 1.20 ≈ |"},
		{"| 4b synchronous, shadow 10x slower |", "| 2.99 |"},
	} {
		got := rows(tt.row)
		if len(got) == 0 || !strings.Contains(got[0], tt.cell) {
			t.Errorf("no %q in the row %q: %v", tt.cell, tt.row, got)
		}
	}
	if !strings.Contains(md, "a ratio at the limit to the one measured: the row says the run cannot\nresolve the figure") {
		t.Error("the report does not say how a target is judged against the floor")
	}
}
