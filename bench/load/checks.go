package load

import "fmt"

// Check is one target of the issue, measured.
type Check struct {
	Target   string
	Limit    string
	Measured string
	Met      bool
}

// The targets, from the issue.
const (
	maxNotSampledNs     = 150
	maxNotSampledAllocs = 2
	maxSampledNs        = 2000 // plus the body copy
	maxP99Ratio10       = 1.05
	maxP99RatioSlow     = 1.10
	maxP99RatioReplay10 = 1.10
	maxP99RatioReplay   = 1.30 // 100% sampling; the target assumes the latency guard
)

// Checks evaluates every target the report has figures for; a target
// without figures is reported as not met.
func (r *Report) Checks() []Check {
	checks := []Check{r.checkNotSampled()}
	for _, size := range []string{"1KB", "64KB"} {
		checks = append(checks, r.checkSampled(size))
	}
	checks = append(checks,
		r.checkP99(KeyShadow10, "Load: p99 at 10% sampling", maxP99Ratio10),
		r.checkP99(KeySlowShadow, "Load: p99 at 100% with a 10x slower shadow", maxP99RatioSlow),
		r.checkSyncGrowth(),
		r.checkReplayP99(KeyReplay10, "Load, DynamoDB replayed: p99 at 10% sampling", maxP99RatioReplay10),
		r.checkReplayP99(KeyReplay100, "Load, DynamoDB replayed: p99 at 100% sampling", maxP99RatioReplay),
	)
	return checks
}

func (r *Report) micro(name string) (Micro, bool) { return FindMicro(r.Micro, name) }

func (r *Report) checkNotSampled() Check {
	c := Check{Target: "Not sampled, in-memory provider", Limit: fmt.Sprintf("≤ %d ns and ≤ %d allocs over bare", maxNotSampledNs, maxNotSampledAllocs), Measured: "not measured"}
	bare, ok1 := r.micro("Middleware/bare/1KB")
	wrapped, ok2 := r.micro("Middleware/wrapped/not-sampled/memprovider")
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

func (r *Report) checkSampled(size string) Check {
	c := Check{Target: "Sampled, primary path, " + size + " body", Limit: "≤ 2 µs plus the body copy over bare", Measured: "not measured"}
	bare, ok1 := r.micro("Middleware/bare/" + size)
	sampled, ok2 := r.micro("Middleware/wrapped/sampled/" + size)
	copied, ok3 := r.micro("Middleware/copy/" + size)
	if !ok1 || !ok2 || !ok3 {
		return c
	}
	over := sampled.Median["ns/op"] - bare.Median["ns/op"]
	beyondCopy := over - copied.Median["ns/op"]
	c.Measured = fmt.Sprintf("%+.2f µs over bare, of which the copy is %.2f µs: %+.2f µs beyond it",
		over/1000, copied.Median["ns/op"]/1000, beyondCopy/1000)
	c.Met = beyondCopy <= maxSampledNs
	if !c.Met {
		c.Measured += fmt.Sprintf(" (%.1fx the limit)", beyondCopy/maxSampledNs)
	}
	if cpuOver(sampled, bare) != "" {
		cpu := sampled.Median["cpu-ns/op"] - bare.Median["cpu-ns/op"] - copied.Median["cpu-ns/op"]
		c.Measured += fmt.Sprintf("; CPU time %+.2f µs beyond the copy (%.1fx)", cpu/1000, cpu/maxSampledNs)
	}
	return c
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
	if noise := r.Ratio(KeyBareAgain, 0.99); noise > 0 {
		c.Measured += fmt.Sprintf("; no middleware against itself: %.2fx", noise)
	}
	c.Met = ratio <= limit
	return c
}

// checkReplayP99 compares p99 latencies from each request's send, so that
// the generator's own lateness is taken out of both.
func (r *Report) checkReplayP99(key, target string, limit float64) Check {
	c := Check{Target: target, Limit: fmt.Sprintf("within %.0f%% of no middleware, from send", 100*(limit-1)), Measured: "not measured"}
	ratio := r.RatioFromSend(key, 0.99)
	if ratio == 0 {
		return c
	}
	v, base := r.variant(key).Total(), r.baseline().Total()
	c.Measured = fmt.Sprintf("%.2fx (%s vs %s ms; from the due time %.2fx)", ratio, ms(v.FromSend.Quantile(0.99)),
		ms(base.FromSend.Quantile(0.99)), r.Ratio(key, 0.99))
	if noise := r.RatioFromSend(KeyBareAgain, 0.99); noise > 0 {
		c.Measured += fmt.Sprintf("; no middleware against itself: %.2fx", noise)
	}
	c.Met = ratio <= limit
	return c
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
