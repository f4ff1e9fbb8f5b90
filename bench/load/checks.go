package load

import (
	"fmt"
	"strings"
)

// Check is one target, measured.
type Check struct {
	// Item is the item of the issue the target belongs to ("0" to "4");
	// empty for a secondary check, an older target kept to compare with.
	Item     string
	Target   string
	Limit    string
	Measured string
	Met      bool
	// Unresolved is set, and Met false, when the run's noise floor is
	// wider than the figure's distance from its limit (see [Floor.Resolve]).
	Unresolved bool
}

// Secondary reports whether c is an older target kept beside the issue's.
func (c Check) Secondary() bool { return c.Item == "" }

// The targets, from the issue.
const (
	maxNotSampledInstructions = 300
	maxSampledNs              = 2000 // 1 KB; 64 KB: plus the body copy
	maxSampledAllocs          = 15
	maxCompareEqualNs         = 50_000 // a 10 KB pair, equal after normalisation
	maxCompareMismatchNs      = 80_000
	maxPerByteSpread          = 1.10 // "the same ns/byte": the dearest size within 10% of the cheapest
	maxP99RatioReplay10       = 1.10
	maxP99RatioReplay         = 1.30 // 100% sampling, with the latency guard on
)

// Older targets, kept as secondary checks.
const (
	maxNotSampledNs     = 150
	maxNotSampledAllocs = 2
	maxP99Ratio10       = 1.05
	maxP99RatioSlow     = 1.10
)

// Checks evaluates every target the report has figures for; a target
// without figures is reported as not met. The targets come first,
// then the secondary checks.
func (r *Report) Checks() []Check {
	var checks []Check
	for _, router := range []string{"chi", "servemux"} {
		for _, primary := range []string{"postgres", "dynamodb"} {
			checks = append(checks, r.checkNotSampledInstructions(router, primary))
		}
	}
	checks = append(checks, r.checkSampled1KB(), r.checkSampled64KB())
	checks = append(checks,
		r.checkCompare("equivalent", "Comparator, 10 KB pair equal after normalisation", maxCompareEqualNs),
		r.checkCompare("mismatch", "Comparator, 10 KB pair with a mismatch", maxCompareMismatchNs),
		r.checkComparePerByte(),
		r.checkReplayP99(KeyReplay10, "Load, DynamoDB replayed: p99 at 10% sampling", maxP99RatioReplay10),
		r.checkReplayP99(KeyReplay100, "Load, DynamoDB replayed: p99 at 100% sampling, latency guard on", maxP99RatioReplay),
	)
	checks = append(checks,
		r.checkNotSampledWall(),
		r.checkP99(KeyShadow10, "Load: p99 at 10% sampling, dynalite", maxP99Ratio10),
		r.checkP99(KeySlowShadow, "Load: p99 at 100% with a 10x slower shadow", maxP99RatioSlow),
		r.checkSyncGrowth(),
	)
	return checks
}

// micro returns the first of names found among the micro-benchmarks:
// a case may be found under an older or a newer name.
func (r *Report) micro(names ...string) (Micro, bool) { return findFirst(r.Micro, names) }

// instructions returns the callgrind count of the first of names found.
func (r *Report) instructions(names ...string) (float64, bool) {
	m, ok := findFirst(r.Callgrind, names)
	if !ok {
		return 0, false
	}
	v, ok := m.Median[unitInstructions]
	return v, ok
}

func findFirst(ms []Micro, names []string) (Micro, bool) {
	for _, name := range names {
		if m, ok := FindMicro(ms, name); ok {
			return m, true
		}
	}
	return Micro{}, false
}

// unitInstructions is the unit of out/callgrind.txt's counts.
const unitInstructions = "instructions/op"

// Names of the micro-benchmarks the checks read, the current name first.
var (
	nameBare1KB     = []string{"Middleware/bare/1KB"}
	nameBare64KB    = []string{"Middleware/bare/64KB"}
	nameSampled1KB  = []string{"Middleware/wrapped/sampled/1KB", "Middleware/sampled/1KB"}
	nameSampled64KB = []string{"Middleware/wrapped/sampled/64KB", "Middleware/sampled/64KB"}
	nameCopy64KB    = []string{"Middleware/copy/64KB"}
	nameNotSampled  = []string{"Middleware/wrapped/not-sampled/memprovider"}
)

// compareSizes are the comparator benchmarks' sizes, as named.
var compareSizes = []string{"1KB", "10KB", "100KB", "1024KB"}

// missedBy says how far over its limit a figure is.
func missedBy(measured, limit float64) string {
	if measured <= limit || limit <= 0 {
		return ""
	}
	return fmt.Sprintf(", %.1fx the limit", measured/limit)
}

func (r *Report) checkNotSampledInstructions(router, primary string) Check {
	names := map[string]string{"chi": "chi", "servemux": "http.ServeMux", "postgres": "PostgreSQL", "dynamodb": "DynamoDB"}
	c := Check{Item: "0", Target: fmt.Sprintf("Not sampled, %s, %s primary", names[router], names[primary]),
		Limit:    fmt.Sprintf("≤ %d instructions and 0 allocs over bare", maxNotSampledInstructions),
		Measured: "not measured"}
	bareName, wrappedName := "NotSampled/"+router+"/bare", "NotSampled/"+router+"/"+primary
	bare, ok1 := r.instructions(bareName)
	wrapped, ok2 := r.instructions(wrappedName)
	if !ok1 || !ok2 {
		return c
	}
	over := wrapped - bare
	c.Measured = fmt.Sprintf("%+.0f instructions%s (%.0f vs %.0f per request)", over, missedBy(over, maxNotSampledInstructions), wrapped, bare)
	mb, ok3 := r.micro(bareName)
	mw, ok4 := r.micro(wrappedName)
	if !ok3 || !ok4 {
		c.Measured += "; allocations not measured"
		return c
	}
	allocs := mw.Median["allocs/op"] - mb.Median["allocs/op"]
	c.Measured += fmt.Sprintf("; %+.0f allocs; wall time %+.0f ns", allocs, mw.Median["ns/op"]-mb.Median["ns/op"])
	c.Met = over <= maxNotSampledInstructions && allocs <= 0
	if !c.Met {
		c.Measured += r.whereItGoes(wrappedName)
	}
	return c
}

// nsOver returns a's time over b's per request: CPU time of the
// benchmark's thread if both have it (wall time swings with the
// neighbours on a shared machine), wall time otherwise, and which it is.
func nsOver(a, b Micro) (float64, string) {
	ca, ok1 := a.Median["cpu-ns/op"]
	cb, ok2 := b.Median["cpu-ns/op"]
	if ok1 && ok2 {
		return ca - cb, "CPU time"
	}
	return a.Median["ns/op"] - b.Median["ns/op"], "wall time"
}

func (r *Report) checkSampled1KB() Check {
	c := Check{Item: "1", Target: "Sampled, the user's path, 1 KB body",
		Limit:    fmt.Sprintf("≤ %.0f µs and ≤ %d allocs over bare", float64(maxSampledNs)/1000, maxSampledAllocs),
		Measured: "not measured"}
	bare, ok1 := r.micro(nameBare1KB...)
	sampled, ok2 := r.micro(nameSampled1KB...)
	if !ok1 || !ok2 {
		return c
	}
	over, clock := nsOver(sampled, bare)
	allocs := sampled.Median["allocs/op"] - bare.Median["allocs/op"]
	c.Measured = fmt.Sprintf("%s %+.2f µs%s; %+.0f allocs%s", clock, over/1000, missedBy(over, maxSampledNs), allocs, missedBy(allocs, maxSampledAllocs))
	if clock != "wall time" {
		c.Measured += fmt.Sprintf("; wall time %+.2f µs", (sampled.Median["ns/op"]-bare.Median["ns/op"])/1000)
	}
	if goroutine := r.overBare(nameSampled1KB[0], nameBare1KB[0], unitGoroutineInstructions, false); goroutine != "–" {
		c.Measured += fmt.Sprintf("; %s instructions on the user's goroutine, %s in the whole process (callgrind)", goroutine,
			r.overBare(nameSampled1KB[0], nameBare1KB[0], unitInstructions, false))
	}
	c.Met = over <= maxSampledNs && allocs <= maxSampledAllocs
	if !c.Met {
		c.Measured += r.whereItGoes(nameSampled1KB...)
	}
	return c
}

func (r *Report) checkSampled64KB() Check {
	c := Check{Item: "1", Target: "Sampled, the user's path, 64 KB body",
		Limit:    fmt.Sprintf("≤ %.0f µs plus the body copy over bare", float64(maxSampledNs)/1000),
		Measured: "not measured"}
	bare, ok1 := r.micro(nameBare64KB...)
	sampled, ok2 := r.micro(nameSampled64KB...)
	copied, ok3 := r.micro(nameCopy64KB...)
	if !ok1 || !ok2 || !ok3 {
		return c
	}
	over, clock := nsOver(sampled, bare)
	copyNs := copied.Median["ns/op"]
	if cpu, ok := copied.Median["cpu-ns/op"]; ok && clock == "CPU time" {
		copyNs = cpu
	}
	beyond := over - copyNs
	c.Measured = fmt.Sprintf("%s %+.2f µs over bare, of which the copy is %.2f µs: %+.2f µs beyond it%s", clock, over/1000, copyNs/1000,
		beyond/1000, missedBy(beyond, maxSampledNs))
	bi, ok4 := r.instructions(nameBare64KB...)
	si, ok5 := r.instructions(nameSampled64KB...)
	ci, ok6 := r.instructions(nameCopy64KB...)
	if ok4 && ok5 && ok6 {
		c.Measured += fmt.Sprintf("; %+.0f instructions over bare, %+.0f beyond the copy's %.0f (callgrind, the whole process)",
			si-bi, si-bi-ci, ci)
	}
	c.Met = beyond <= maxSampledNs
	return c
}

func (r *Report) checkCompare(kind, target string, limit float64) Check {
	c := Check{Item: "3", Target: target, Limit: fmt.Sprintf("≤ %.0f µs", limit/1000), Measured: "not measured"}
	name := "Compare/10KB/" + kind
	m, ok := r.micro(name)
	if !ok {
		return c
	}
	ns := m.Median["ns/op"]
	c.Measured = fmt.Sprintf("%.1f µs%s; %.0f allocs", ns/1000, missedBy(ns, limit), m.Median["allocs/op"])
	if in, ok := r.instructions(name); ok {
		c.Measured += fmt.Sprintf("; %.0f instructions (callgrind)", in)
	}
	c.Met = ns <= limit
	return c
}

// checkComparePerByte compares the comparator's cost per byte of the pair
// across sizes: ns/byte from the throughput the benchmarks report, and
// instructions/byte from callgrind, which the neighbours do not move.
func (r *Report) checkComparePerByte() Check {
	c := Check{Item: "3", Target: "Comparator, cost per byte from 1 KB to 1 MB",
		Limit:    fmt.Sprintf("the same ns/byte: the dearest size within %.0f%% of the cheapest", 100*(maxPerByteSpread-1)),
		Measured: "not measured"}
	var parts []string
	met := true
	for _, kind := range []string{"equivalent", "mismatch"} {
		var perByte, perByteIns []string
		lo, hi := 0.0, 0.0
		insLo, insHi := 0.0, 0.0
		for _, size := range compareSizes {
			name := "Compare/" + size + "/" + kind
			m, ok := r.micro(name)
			mbs := m.Median["MB/s"]
			if !ok || mbs <= 0 {
				c.Measured = "not measured: no " + name + " with MB/s"
				return c
			}
			nsPerByte := 1000 / mbs
			lo, hi = minNonZero(lo, nsPerByte), max(hi, nsPerByte)
			perByte = append(perByte, fmt.Sprintf("%.2f", nsPerByte))
			if in, ok := r.instructions(name); ok {
				// Bytes per comparison, from the throughput and the time.
				insPerByte := in / (mbs * m.Median["ns/op"] / 1000)
				insLo, insHi = minNonZero(insLo, insPerByte), max(insHi, insPerByte)
				perByteIns = append(perByteIns, fmt.Sprintf("%.1f", insPerByte))
			}
		}
		part := fmt.Sprintf("%s: %s ns/byte, %.2fx", kind, strings.Join(perByte, ", "), hi/lo)
		if len(perByteIns) == len(compareSizes) {
			part += fmt.Sprintf(" (instructions/byte %s, %.2fx)", strings.Join(perByteIns, ", "), insHi/insLo)
		}
		parts = append(parts, part)
		met = met && hi/lo <= maxPerByteSpread
	}
	c.Measured = "at " + strings.Join(compareSizes, ", ") + ": " + strings.Join(parts, "; ")
	c.Met = met
	return c
}

func minNonZero(a, b float64) float64 {
	if a == 0 {
		return b
	}
	return min(a, b)
}

// checkNotSampledWall is the older wall-time target of the not-sampled
// path, with the in-memory flag provider.
func (r *Report) checkNotSampledWall() Check {
	c := Check{Target: "Not sampled, in-memory provider, wall time", Limit: fmt.Sprintf("≤ %d ns and ≤ %d allocs over bare", maxNotSampledNs, maxNotSampledAllocs), Measured: "not measured"}
	bare, ok1 := r.micro(nameBare1KB...)
	wrapped, ok2 := r.micro(nameNotSampled...)
	if !ok1 || !ok2 {
		return c
	}
	ns := wrapped.Median["ns/op"] - bare.Median["ns/op"]
	allocs := wrapped.Median["allocs/op"] - bare.Median["allocs/op"]
	c.Measured = fmt.Sprintf("%+.0f ns, %+.0f allocs (%.0f vs %.0f ns/op)%s", ns, allocs, wrapped.Median["ns/op"], bare.Median["ns/op"],
		cpuOver(wrapped, bare))
	c.Met = ns <= maxNotSampledNs && allocs <= maxNotSampledAllocs
	return c
}

// whereItGoes names the functions that cost the first of names found the
// most instructions over its bare case, from callgrind; "" without them.
func (r *Report) whereItGoes(names ...string) string {
	m, ok := findFirst(r.Callgrind, names)
	if !ok {
		return ""
	}
	base := bareOf(m.Name)
	var parts []string
	for _, c := range costsOver(r.CallgrindFunctions, m.Name, base, 3) {
		parts = append(parts, fmt.Sprintf("%s %+.0f", shortFunction(c.Function), c.Instructions))
	}
	if len(parts) == 0 {
		return ""
	}
	return "; most of it: " + strings.Join(parts, ", ")
}

// cpuOver describes the CPU time of a over b, if both have it.
func cpuOver(a, b Micro) string {
	ca, ok1 := a.Median["cpu-ns/op"]
	cb, ok2 := b.Median["cpu-ns/op"]
	if !ok1 || !ok2 {
		return ""
	}
	return fmt.Sprintf("; CPU time %+.0f ns", ca-cb)
}

func (r *Report) checkP99(key, target string, limit float64) Check {
	c := Check{Target: target, Limit: fmt.Sprintf("within %.0f%% of no middleware", 100*(limit-1)), Measured: "not measured"}
	ratio := r.Ratio(key, 0.99)
	if ratio == 0 {
		return c
	}
	v, base := r.variant(key).Total(), r.baseline().Total()
	c.Measured = fmt.Sprintf("%.2fx (%s vs %s ms)", ratio, ms(v.Latency.Quantile(0.99)), ms(base.Latency.Quantile(0.99)))
	r.judge(&c, key, ratio, limit, fromDue)
	return c
}

// checkReplayP99 compares p99 latencies from each request's send, so that
// the generator's own lateness is taken out of both.
func (r *Report) checkReplayP99(key, target string, limit float64) Check {
	c := Check{Item: "4", Target: target, Limit: fmt.Sprintf("≤ %.2fx no middleware, from send", limit), Measured: "not measured"}
	ratio := r.RatioFromSend(key, 0.99)
	if ratio == 0 {
		return c
	}
	v, base := r.variant(key).Total(), r.baseline().Total()
	c.Measured = fmt.Sprintf("%.2fx (%s vs %s ms; from the due time %.2fx)", ratio, ms(v.FromSend.Quantile(0.99)),
		ms(base.FromSend.Quantile(0.99)), r.Ratio(key, 0.99))
	r.judge(&c, key, ratio, limit, fromSend)
	if share, ok := r.variant(key).Outcomes[GuardShareKey]; ok {
		c.Measured += fmt.Sprintf("; the latency guard's effective rate at the end: %d%% of the sampled requests", share)
	}
	return c
}

// judge sets c's verdict on the variant's p99 ratio against limit by the
// run's floor of the same latencies, and puts the floor beside the ratio.
func (r *Report) judge(c *Check, key string, ratio, limit float64, of latencyOf) {
	f := r.floor(0.99, of)
	c.Measured += fmt.Sprintf("; floor (no middleware against itself): %.2fx over all rounds, %s", r.ratio(KeyBareAgain, 0.99, of), f)
	if above, n := r.aboveFloor(key, 0.99, of); n > 0 {
		c.Measured += fmt.Sprintf("; above the floor of its round in %d of %d rounds", above, n)
	}
	switch f.Resolve(ratio, limit) {
	case VerdictMet:
		c.Met = true
	case VerdictUnresolved:
		c.Unresolved = true
		c.Measured += "; " + f.unresolvedBecause(limit)
	}
}

// checkSyncGrowth checks the expectation the targets set against: the
// synchronous baseline makes the user wait for the slow shadow.
func (r *Report) checkSyncGrowth() Check {
	c := Check{Target: "Synchronous baseline, 10x slower shadow", Limit: "p99 grows by the shadow's latency", Measured: "not measured"}
	v, base := r.variant(KeySlowSync), r.baseline()
	if v == nil || base == nil || r.Setup.SlowRead == 0 {
		return c
	}
	vt, bt := v.Total(), base.Total()
	growth := vt.Latency.Quantile(0.99) - bt.Latency.Quantile(0.99)
	c.Measured = fmt.Sprintf("p99 +%s ms; a slow shadow read alone takes %s ms (median)", ms(growth), ms(r.Setup.SlowRead))
	c.Met = growth >= r.Setup.SlowRead
	return c
}

// MemorySummary condenses a memory series: its range, and the means of its
// first and last quarters, which differ if memory grows with time.
type MemorySummary struct {
	MinRSS, MaxRSS                  float64
	FirstRSS, LastRSS               float64
	MinGoroutines, MaxGoroutines    int
	FirstGoroutines, LastGoroutines float64
}

// SummarizeMemory summarizes samples; it returns zeros for none.
func SummarizeMemory(samples []MemorySample) MemorySummary {
	var s MemorySummary
	if len(samples) == 0 {
		return s
	}
	s.MinRSS, s.MaxRSS = float64(samples[0].RSS), float64(samples[0].RSS)
	s.MinGoroutines, s.MaxGoroutines = samples[0].Goroutines, samples[0].Goroutines
	for _, m := range samples {
		s.MinRSS, s.MaxRSS = min(s.MinRSS, float64(m.RSS)), max(s.MaxRSS, float64(m.RSS))
		s.MinGoroutines, s.MaxGoroutines = min(s.MinGoroutines, m.Goroutines), max(s.MaxGoroutines, m.Goroutines)
	}
	quarter := max(len(samples)/4, 1)
	mean := func(part []MemorySample) (rss, goroutines float64) {
		for _, m := range part {
			rss += float64(m.RSS)
			goroutines += float64(m.Goroutines)
		}
		return rss / float64(len(part)), goroutines / float64(len(part))
	}
	s.FirstRSS, s.FirstGoroutines = mean(samples[:quarter])
	s.LastRSS, s.LastGoroutines = mean(samples[len(samples)-quarter:])
	return s
}
