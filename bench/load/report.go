package load

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/shadowread/shadowread/middleware"
)

// Report is everything one `make bench` run measured, rendered as
// bench/RESULTS.md by [Report.Markdown].
type Report struct {
	Machine  Machine
	Setup    Setup
	Variants []VariantResult // in the order of [Variants]; the first is the baseline
	// Memory is sampled every second while variant 3 runs.
	Memory []MemorySample
	Micro  []Micro
	// Callgrind holds the instructions per request that valgrind's
	// callgrind counted (out/callgrind.txt, in the unit
	// "instructions/op"), read by [ParseBenchmarks] as Micro is.
	Callgrind []Micro
	// CallgrindFunctions splits those counts by function
	// (out/callgrind-functions.txt).
	CallgrindFunctions []FunctionCost
}

// GuardShareKey names, among a variant's outcome counts, the share of the
// sampled requests the latency guard let through at the end of the run,
// in percent (the lowest of the routes), for a variant with the guard on.
const GuardShareKey = "guard_share_percent"

// Machine describes where the run happened.
type Machine struct {
	CPUs                  int
	CPUModel              string
	Kernel                string
	GoVersion             string
	Tools                 string // versions of the servers and nginx
	Commit                string // the revision measured
	Date                  time.Time
	LoadBefore, LoadAfter string // /proc/loadavg at the start and end
}

// Setup is how the load was generated.
type Setup struct {
	Rate float64 // requests per second of every variant
	// Capacity is the closed-loop throughput of the baseline and
	// BothCapacity that of the synchronous experiment, which reads both
	// stores for every request: the heaviest work per request of any
	// variant. Both are measured with CapacityWorkers concurrent clients;
	// Rate is a share of BothCapacity, so every variant has headroom.
	Capacity, BothCapacity float64
	CapacityWorkers        int
	Warmup, Measure        time.Duration
	Rounds                 int
	Mix                    string
	// DirectRead and SlowRead are the median DynamoDB product reads
	// without and with the delaying proxy (set to ShadowDelay).
	DirectRead, SlowRead, ShadowDelay time.Duration
	Elapsed                           time.Duration
	// ReplayDelay is the fixed delay of the replayed DynamoDB stand-in, and
	// Replay what it did over the whole run.
	ReplayDelay time.Duration
	Replay      ReplayStats
	// PinnedCPU is the CPU the generator's process was pinned to, with
	// GOMAXPROCS 1; -1 when it was not pinned.
	PinnedCPU int
}

// VariantResult is what one variant measured.
type VariantResult struct {
	Variant
	Rounds []Result // one per round, in round order
	// Outcomes counts the comparisons the target reported, by outcome.
	Outcomes map[string]uint64
	// CPU is what the machine spent while the variant was measured, over
	// all rounds.
	CPU CPU
	// Runtime is what the service's Go runtime did meanwhile; empty for
	// the nginx variants.
	Runtime RuntimeStats
	// Profile is the service's CPU by component (see [CPUComponents]) in
	// CPU profiles taken while the variant was measured; empty when not
	// profiled. Only its shares are used: the profile's own sampling
	// misses some of the CPU that /proc counts.
	Profile map[string]time.Duration
}

// Total returns the rounds merged.
func (v *VariantResult) Total() Result {
	var t Result
	for i := range v.Rounds {
		t.Merge(&v.Rounds[i])
	}
	return t
}

// MemorySample is the target's resident memory and goroutine count at one
// moment.
type MemorySample struct {
	At         time.Duration // since the first sample
	RSS        int64         // bytes
	Goroutines int
}

// middlewareSlots is middleware.DefaultMaxConcurrent, which the target
// service leaves as it is.
const middlewareSlots = middleware.DefaultMaxConcurrent

// Quantiles reported for every variant.
var reportQuantiles = []struct {
	Label string
	Q     float64
}{{"p50", 0.50}, {"p99", 0.99}, {"p99.9", 0.999}}

// variant returns the result of the variant with key, or nil.
func (r *Report) variant(key string) *VariantResult {
	for i := range r.Variants {
		if r.Variants[i].Key == key {
			return &r.Variants[i]
		}
	}
	return nil
}

// Ratio returns the variant's q-quantile over the baseline's, both over
// all rounds; 0 if either is missing.
func (r *Report) Ratio(key string, q float64) float64 { return r.ratio(key, q, fromDue) }

// RatioFromSend is [Report.Ratio] of latencies measured from each
// request's send: without the generator's own lateness.
func (r *Report) RatioFromSend(key string, q float64) float64 { return r.ratio(key, q, fromSend) }

func (r *Report) ratio(key string, q float64, of latencyOf) float64 {
	v, base := r.variant(key), r.baseline()
	if v == nil || base == nil {
		return 0
	}
	vt, bt := v.Total(), base.Total()
	b := of(&bt).Quantile(q)
	if b == 0 {
		return 0
	}
	return float64(of(&vt).Quantile(q)) / float64(b)
}

func (r *Report) baseline() *VariantResult {
	if len(r.Variants) == 0 {
		return nil
	}
	return &r.Variants[0]
}

// Markdown renders the report.
func (r *Report) Markdown() string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	m, s := r.Machine, r.Setup

	w("# shadowread: benchmark results\n\n")
	w("Written by `make bench` (bench/Makefile) on %s for revision %s; the load run took %s.\n\n",
		m.Date.UTC().Format("2006-01-02 15:04 MST"), m.Commit, s.Elapsed.Round(time.Second))
	w("Machine: %d CPUs (%s), Linux %s, %s. %s\n", m.CPUs, m.CPUModel, m.Kernel, m.GoVersion, m.Tools)
	w("Load average (1, 5, 15 min) before the load runs: %s; after: %s. The machine is shared:\n", m.LoadBefore, m.LoadAfter)
	w("the generator, every service process, PostgreSQL, dynalite and nginx run on the same %d CPUs,\n", m.CPUs)
	w("and other jobs may run beside them, so compare variants within this run only.\n\n")

	w("## Targets\n\n")
	w("The issue's targets, by item. Instruction counts are valgrind's callgrind (`make callgrind`): unlike wall and CPU time\n")
	w("they do not move with the other jobs of a shared machine; see the micro-benchmarks below for how they are taken.\n\n")
	writeChecks(&b, r.Checks(), false)
	w("Older targets, kept to compare with earlier runs:\n\n")
	writeChecks(&b, r.Checks(), true)
	w("A load target's ratio is judged against the run's floor of the same latencies: variant 1' is variant 1's process measured\n")
	w("again in each round, so its ratio to variant 1 in each round is what the machine's noise alone does to a ratio. Taking a\n")
	w("measured ratio as the true one times such a noise factor, it meets a limit only if it is at most the limit times the lowest\n")
	w("ratio of the floor's rounds, and misses it only if it is over the limit times the highest (the floor's range widened to\n")
	w("include 1). In between, noise alone could have moved a ratio at the limit to the one measured: the row says the run cannot\n")
	w("resolve the figure and \"unresolved\" stands for yes or no. Over n rounds the floor's range holds the ratio of a further\n")
	w("round with probability (n-1)/(n+1), whatever the noise's distribution (5/7 for 6 rounds; a floor needs at least %d\n", minFloorRounds)
	w("rounds), and a ratio over all rounds is less noisy than one round's, so the rule errs towards \"unresolved\".\n\n")

	r.writeLoad(&b)
	r.writeReplay(&b)
	r.writeComponents(&b)
	r.writeMemory(&b)
	r.writeMicro(&b)
	r.writeCallgrind(&b)
	missed := 0
	for _, c := range r.Checks() {
		if !c.Met && !c.Unresolved && !c.Secondary() {
			missed++
		}
	}
	if missed > 0 {
		w("## Why targets are missed\n\n")
		w("Figures alone do not say why; the explanation of the committed run, with profiles and proposed changes, is written\n")
		w("by hand in [ANALYSIS.md](ANALYSIS.md).\n")
	}
	return b.String()
}

// writeChecks renders the primary or the secondary checks as a table.
func writeChecks(b *strings.Builder, checks []Check, secondary bool) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	if secondary {
		w("| target | limit | measured | met |\n|---|---|---|---|\n")
	} else {
		w("| item | target | limit | measured | met |\n|---|---|---|---|---|\n")
	}
	for _, c := range checks {
		if c.Secondary() != secondary {
			continue
		}
		met := "yes"
		switch {
		case c.Unresolved:
			met = "unresolved"
		case !c.Met:
			met = "**no**"
		}
		if secondary {
			w("| %s | %s | %s | %s |\n", c.Target, c.Limit, c.Measured, met)
		} else {
			w("| %s | %s | %s | %s | %s |\n", c.Item, c.Target, c.Limit, c.Measured, met)
		}
	}
	w("\n")
}

func (r *Report) writeLoad(b *strings.Builder) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	s := r.Setup
	w("## Load over loopback\n\n")
	w("The benchmark's shop (bench/internal/shop: a product with its variants, an order, a customer's orders; one read of either store each)\n")
	w("on PostgreSQL 15 and dynalite, one process per variant.\n")
	if s.BothCapacity > 0 {
		w("Open loop at a fixed %.0f requests/s for every variant: %.0f%% of the %.0f requests/s that variant 4a, which reads both stores\n",
			s.Rate, 100*s.Rate/s.BothCapacity, s.BothCapacity)
		w("for every request, answered closed loop with %d clients, so that every variant has headroom (variant 1 alone answered %.0f requests/s,\n",
			s.CapacityWorkers, s.Capacity)
	} else {
		w("Open loop at a fixed %.0f requests/s for every variant, as -load.rate gave it (variant 1 answered %.0f requests/s closed loop with %d clients,\n",
			s.Rate, s.Capacity, s.CapacityWorkers)
	}
	w("so the rate is %.0f%% of its capacity).\n", 100*s.Rate/max(s.Capacity, 1))
	w("Latency runs from each request's scheduled send time to the end of its body, so a stall counts for every request it delays.\n")
	w("Request mix: %s. Each variant: %s warm-up, then %s measured; %d rounds, all variants in each,\n", s.Mix, s.Warmup, s.Measure, s.Rounds)
	w("the order rotated every round. Ratios are against variant 1 over all rounds. \"Comparisons\" are the outcomes the service\n")
	w("reported over the whole run, so they include the warm-ups (and, for variant 4a, the capacity measurement).\n\n")
	w("The floor row is variant 1' against variant 1, round by round: what the machine's noise alone does to a ratio in this run.\n")
	w("A ratio marked ≈ lies within its floor (widened to include 1), so this run cannot tell it from no middleware.\n")
	w("\"p99 × per round\" is the range of the per-round ratios, each against variant 1 of the same round, and in parentheses\n")
	w("the rounds in which the variant's p99 was above that of variant 1' in the same round: without an effect each round is a\n")
	w("coin toss, so n of n rounds happens by chance once in 2^n runs.")
	if n := len(r.floor(0.99, fromDue).Rounds); n < minFloorRounds {
		w(" This run has a floor of %d rounds, fewer than the %d it needs to judge a ratio, so every ratio is marked ≈.", n, minFloorRounds)
	}
	w("\n\n")
	w("The 10x slower shadow: a DynamoDB product read takes %s ms direct and %s ms through the delaying proxy (%s ms per request), %.1fx.\n\n",
		ms(s.DirectRead), ms(s.SlowRead), ms(s.ShadowDelay), float64(s.SlowRead)/float64(max(s.DirectRead, 1)))

	w("| variant | req/s | p50 ms | p99 ms | p99.9 ms | p50 × | p99 × | p99.9 × | p99 × per round | failed | comparisons |\n")
	w("|---|---|---|---|---|---|---|---|---|---|---|\n")
	w("| floor: 1' against 1, per round | | | | |")
	for _, q := range reportQuantiles {
		w(" %s |", r.floor(q.Q, fromDue).spread(""))
	}
	w(" | | |\n")
	for i := range r.Variants {
		v := &r.Variants[i]
		t := v.Total()
		w("| %s | %.0f |", v.Name, t.Throughput())
		for _, q := range reportQuantiles {
			w(" %s |", ms(t.Latency.Quantile(q.Q)))
		}
		for _, q := range reportQuantiles {
			w(" %s |", r.ratioCell(v.Key, q.Q, fromDue))
		}
		w(" %s |", r.perRoundCell(v.Key))
		outcomes := formatOutcomes(v.Outcomes)
		if v.Key == KeyBareAgain {
			outcomes = "(as variant 1)"
		}
		w(" %d of %d | %s |\n", t.Failed(), t.Answered()+t.Errors+t.Overflow, outcomes)
	}
	w("\n![p50, p99 and p99.9 of each variant over variant 1](chart.svg)\n\n")
	for _, v := range r.Variants {
		w("- **%s**: %s.\n", v.Name, v.About)
	}
	r.writeCPU(b)
	var late time.Duration
	for i := range r.Variants {
		t := r.Variants[i].Total()
		late = max(late, t.Lateness.Quantile(0.999))
	}
	w("\nThe generator itself sent 99.9%% of requests within %s ms of their due time (worst variant).\n\n", ms(late))
}

// ratioCell is the variant's ratio of the q-quantile to variant 1's, over
// all rounds, marked ≈ when the run's floor cannot tell it from 1.
func (r *Report) ratioCell(key string, q float64, of latencyOf) string {
	ratio := r.ratio(key, q, of)
	cell := fmt.Sprintf("%.2f", ratio)
	if key == KeyBare || key == KeyBareAgain || ratio == 0 {
		return cell // the reference and the floor itself
	}
	if r.floor(q, of).Resolve(ratio, 1) == VerdictUnresolved {
		cell += " ≈"
	}
	return cell
}

// perRoundCell is the range of the variant's per-round p99 ratios and the
// rounds in which its p99 was above that of variant 1' in the same round.
func (r *Report) perRoundCell(key string) string {
	rr := r.perRound(key, 0.99, fromDue)
	if len(rr) == 0 {
		return "–"
	}
	cell := fmt.Sprintf("%.2f–%.2f", slices.Min(rr), slices.Max(rr))
	if key == KeyBare || key == KeyBareAgain {
		return cell
	}
	if above, n := r.aboveFloor(key, 0.99, fromDue); n > 0 {
		cell += fmt.Sprintf(" (%d of %d above 1')", above, n)
	}
	return cell
}

// writeCPU shows where the machine's CPU went per request, if measured.
func (r *Report) writeCPU(b *strings.Builder) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	measured := false
	for _, v := range r.Variants {
		measured = measured || v.CPU.Elapsed > 0
	}
	if !measured {
		return
	}
	w("\nWhere the CPU went while each variant was measured, per answered request (from /proc; \"others\" is everything else\n")
	w("on the machine, including other jobs; the harness is the load generator, the delay proxy and the replayed DynamoDB stand-in):\n\n")
	w("| variant | service µs | PostgreSQL µs | dynalite µs | harness µs | others µs | machine busy | steal |\n")
	w("|---|---|---|---|---|---|---|---|\n")
	for i := range r.Variants {
		v := &r.Variants[i]
		c := v.CPU
		per := perRequest(v)
		steal := 0.0
		if c.Elapsed > 0 {
			steal = float64(c.Steal) / float64(c.Elapsed*time.Duration(max(r.Machine.CPUs, 1)))
		}
		w("| %s | %s | %s | %s | %s | %s | %.0f%% | %.0f%% |\n", v.Name, per(c.Service), per(c.Postgres), per(c.Dynalite),
			per(c.Harness), per(c.Others), 100*c.Busy(r.Machine.CPUs), 100*steal)
	}

	w("\nWhat delayed the requests: the time the threads of the service, PostgreSQL and the harness waited for a CPU while\n")
	w("runnable, per request (/proc schedstat), and from the service's Go runtime (runtime/metrics) its garbage collections per\n")
	w("second, the share of its CPU spent collecting, and the 99th percentile of how long its runnable goroutines waited for a thread:\n\n")
	w("| variant | service CPU wait µs | PostgreSQL CPU wait µs | harness CPU wait µs | GC/s | GC CPU | goroutine wait p99 µs |\n")
	w("|---|---|---|---|---|---|---|\n")
	for i := range r.Variants {
		v := &r.Variants[i]
		c := v.CPU
		per := perRequest(v)
		gc, gcShare, wait := "–", "–", "–"
		if rt := v.Runtime; rt.CPU > 0 && c.Elapsed > 0 {
			gc = fmt.Sprintf("%.1f", float64(rt.GCCycles)/c.Elapsed.Seconds())
			gcShare = fmt.Sprintf("%.0f%%", 100*float64(rt.GCCPU)/float64(rt.CPU))
			wait = fmt.Sprintf("%.0f", float64(rt.SchedQuantile(0.99))/float64(time.Microsecond))
		}
		w("| %s | %s | %s | %s | %s | %s | %s |\n", v.Name, per(c.ServiceWait), per(c.PostgresWait), per(c.HarnessWait), gc, gcShare, wait)
	}
}

// perRequest returns a formatter of a duration per answered request of v,
// in microseconds.
func perRequest(v *VariantResult) func(time.Duration) string {
	t := v.Total()
	n := float64(max(t.Answered(), 1))
	return func(d time.Duration) string { return fmt.Sprintf("%.0f", float64(d.Microseconds())/n) }
}

func (r *Report) writeMemory(b *strings.Builder) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	w("## Memory during variant 3\n\n")
	if len(r.Memory) == 0 {
		w("Not measured.\n\n")
		return
	}
	sum := SummarizeMemory(r.Memory)
	w("The service of variant 3 (every request shadowed, shadow store 10x slower), sampled every second while it was under load:\n")
	w("%d samples. Resident memory %.1f to %.1f MiB (first quarter of the samples %.1f MiB on average, last quarter %.1f MiB);\n",
		len(r.Memory), mib(sum.MinRSS), mib(sum.MaxRSS), mib(sum.FirstRSS), mib(sum.LastRSS))
	w("goroutines %d to %d (first quarter %.0f, last quarter %.0f). The middleware runs at most %d shadows at once (its default).\n\n",
		sum.MinGoroutines, sum.MaxGoroutines, sum.FirstGoroutines, sum.LastGoroutines, middlewareSlots)
	w("![resident memory and goroutines of variant 3 over time](memory.svg)\n\n")
}

func (r *Report) writeMicro(b *strings.Builder) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	w("## Micro-benchmarks\n\n")
	if len(r.Micro) == 0 {
		w("Not measured.\n\n")
		return
	}
	runs := 0
	for _, m := range r.Micro {
		runs = max(runs, m.Runs)
	}
	w("`go test -bench . -benchmem` in bench/ (flagd cases in example/internal/flagscheck, Compare cases in comparator/), medians of %d runs.\n", runs)
	w("The sampled cases time the primary path only: the shadow\n")
	w("handler returns at once and the shadows are drained after the timer stops; their B/op and allocs/op still include the\n")
	w("shadow goroutines' allocations, which the Go runtime cannot tell apart. cpu-ns/op is the CPU time of the benchmark's\n")
	w("own thread per request: the primary path's CPU without the shadow goroutines, and without the time other processes\n")
	w("took from it, which ns/op (wall time) includes on a shared machine.\n\n")
	w("| benchmark | ns/op | cpu-ns/op | B/op | allocs/op | other |\n|---|---|---|---|---|---|\n")
	for _, m := range r.Micro {
		var other []string
		for _, unit := range slices.Sorted(maps.Keys(m.Median)) {
			switch unit {
			case "ns/op", "cpu-ns/op", "B/op", "allocs/op", "MB/s":
				continue
			}
			other = append(other, fmt.Sprintf("%g %s", m.Median[unit], unit))
		}
		cpu := "–"
		if v, ok := m.Median["cpu-ns/op"]; ok {
			cpu = fmt.Sprintf("%.0f", v)
		}
		w("| %s | %.0f | %s | %.0f | %.0f | %s |\n", m.Name, m.Median["ns/op"], cpu, m.Median["B/op"], m.Median["allocs/op"], strings.Join(other, ", "))
	}
	w("\n")
}

// formatOutcomes lists outcome counts in a stable order.
func formatOutcomes(o map[string]uint64) string {
	if len(o) == 0 {
		return "–"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(o)) {
		parts = append(parts, fmt.Sprintf("%s %d", k, o[k]))
	}
	return strings.Join(parts, ", ")
}

// ms formats a duration in milliseconds with two decimals.
func ms(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond)) }

func mib(bytes float64) float64 { return bytes / (1 << 20) }
