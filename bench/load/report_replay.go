package load

import (
	"fmt"
	"strings"
	"time"
)

// writeReplay shows the variants that read a replayed DynamoDB next to
// their dynalite counterparts, with latencies from the send beside those
// from the due time.
func (r *Report) writeReplay(b *strings.Builder) {
	if r.variant(KeyReplay10) == nil && r.variant(KeyReplay100) == nil {
		return
	}
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	s := r.Setup
	w("## The library alone: DynamoDB replayed\n\n")
	w("Variants 6a and 6b read DynamoDB from a stand-in in the harness: it recorded dynalite's answers to every request the\n")
	w("shop makes for the request mix (%d distinct requests) and replays them after a fixed %s ms, so the shadow read's\n",
		s.Replay.Recorded, ms(s.ReplayDelay))
	w("client work (AWS SDK signing, serialisation, HTTP) and the library's own work are measured without dynalite's CPU on\n")
	w("the same machine. Replayed: %d requests; %d were not recorded and went to dynalite.\n", s.Replay.Hits, s.Replay.Misses)
	if s.PinnedCPU >= 0 {
		w("The generator's process ran with GOMAXPROCS 1, pinned to CPU %d (sched_setaffinity); the services, PostgreSQL and\n", s.PinnedCPU)
		w("dynalite were started before and keep every CPU. ")
	} else {
		w("The generator was not pinned. ")
	}
	w("\"From send\" times each request from the moment the generator handed it to its\n")
	w("HTTP client, which takes the generator's own lateness (last column) out of the latency, request by request. The floor\n")
	w("row is variant 1' against variant 1, round by round, of the same latencies; a ratio marked ≈ lies within it.\n\n")
	w("| variant | p50 ms | p99 ms | p99 from send ms | p99 × | p99 × from send | lateness p99 ms |\n")
	w("|---|---|---|---|---|---|---|\n")
	w("| floor: 1' against 1, per round | | | | %s | %s | |\n", r.floor(0.99, fromDue).spread(""), r.floor(0.99, fromSend).spread(""))
	for _, key := range []string{KeyBare, KeyShadow10, KeyReplay10, KeyShadow100, KeyReplay100} {
		v := r.variant(key)
		if v == nil {
			continue
		}
		t := v.Total()
		w("| %s | %s | %s | %s | %s | %s | %s |\n", v.Name, ms(t.Latency.Quantile(0.5)), ms(t.Latency.Quantile(0.99)),
			ms(t.FromSend.Quantile(0.99)), r.ratioCell(key, 0.99, fromDue), r.ratioCell(key, 0.99, fromSend), ms(t.Lateness.Quantile(0.99)))
	}
	w("\n")
}

// writeComponents splits each profiled variant's service CPU per request
// (from /proc) by the shares of its CPU profile's components.
func (r *Report) writeComponents(b *strings.Builder) {
	var profiled []*VariantResult
	used := map[string]bool{}
	for i := range r.Variants {
		v := &r.Variants[i]
		if len(v.Profile) == 0 || v.CPU.Service <= 0 || v.Key == KeyBareAgain {
			continue
		}
		profiled = append(profiled, v)
		for c, d := range v.Profile {
			used[c] = used[c] || d > 0
		}
	}
	if len(profiled) == 0 {
		return
	}
	var comps []string
	for _, c := range CPUComponents() {
		if used[c] {
			comps = append(comps, c)
		}
	}
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	w("## The service's CPU by component\n\n")
	w("The service's CPU per answered request (from /proc, as above), split by the shares of a CPU profile of the service\n")
	w("taken while each variant was measured (net/http/pprof, 100 Hz). A sample goes to the innermost frame's component, so\n")
	w("a memory copy inside the comparator is the comparator's and a socket write inside pgx is PostgreSQL's; garbage\n")
	w("collection assists count for the code that allocated. µs per request:\n\n")
	w("| variant | service |")
	for _, c := range comps {
		w(" %s |", c)
	}
	w(" samples |\n|---|---|%s---|\n", strings.Repeat("---|", len(comps)))
	for _, v := range profiled {
		var total time.Duration
		for _, d := range v.Profile {
			total += d
		}
		per := perRequest(v)
		w("| %s | %s |", v.Name, per(v.CPU.Service))
		for _, c := range comps {
			share := float64(v.Profile[c]) / float64(max(total, 1))
			w(" %s |", per(time.Duration(share*float64(v.CPU.Service))))
		}
		w(" %.0f |\n", float64(total)/float64(10*time.Millisecond))
	}
	w("\n")
}
