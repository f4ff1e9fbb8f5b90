package load

import (
	"fmt"
	"strings"
)

// Units of out/callgrind.txt beside instructions/op: the benchmark's own
// goroutine (its pinned thread), its allocations, and the bytes of a
// compared pair.
const (
	unitGoroutineInstructions = "goroutine-instructions/op"
	unitGoroutineAllocs       = "goroutine-allocs/op"
	unitBytes                 = "bytes/op"
)

// costRow is one figure of the table of what a request costs, beside the
// middleware users already run (otelhttp with no-op providers, chi's
// Logger), each measured the same way in the same run.
type costRow struct {
	figure, target          string
	ours, otelhttp, chiLogs string
}

// writeCostRows writes the table of what a request costs, from the
// callgrind counts; nothing if none of its cases was counted.
func (r *Report) writeCostRows(b *strings.Builder) {
	rows := r.costRows()
	measured := false
	for _, row := range rows {
		measured = measured || row.ours != "–"
	}
	if !measured {
		return
	}
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	w("What a request costs, in instructions, beside the middleware users already run: otelhttp with no-op providers\n")
	w("and chi's Logger (writing to io.Discard), measured the same way in the same run. The user's goroutine is the\n")
	w("benchmark's pinned thread; the whole process is every thread, the shadow's included. Per byte is per byte of the\n")
	w("compared pair.\n\n")
	w("| figure | shadowread | target | otelhttp | chi's Logger |\n|---|---|---|---|---|\n")
	for _, row := range rows {
		w("| %s | %s | %s | %s | %s |\n", row.figure, row.ours, row.target, row.otelhttp, row.chiLogs)
	}
	w("\n")
}

func (r *Report) costRows() []costRow {
	var rows []costRow
	for _, router := range []struct{ name, label string }{{"chi", "chi"}, {"servemux", "ServeMux"}} {
		over := func(kind string) string {
			return r.overBare("NotSampled/"+router.name+"/"+kind, "NotSampled/"+router.name+"/bare", unitInstructions, false)
		}
		rows = append(rows, costRow{
			figure: "not sampled, " + router.label + ", over bare, with the server's context chain",
			target: fmt.Sprintf("≤ %d", maxNotSampledInstructions),
			ours:   over("postgres"), otelhttp: over("otelhttp"), chiLogs: over("logger"),
		})
	}
	const bare = "Middleware/bare/1KB"
	goroutine := func(name string) string { return r.overBare(name, bare, unitGoroutineInstructions, true) }
	process := func(name string) string { return r.overBare(name, bare, unitInstructions, false) }
	rows = append(rows,
		costRow{
			figure: "sampled 1 KB, the user's goroutine, over bare (allocations on it)",
			target: "≤ 9k, ≤ 10 allocations",
			ours:   goroutine(nameSampled1KB[0]), otelhttp: goroutine("Middleware/otelhttp/1KB"), chiLogs: goroutine("Middleware/logger/1KB"),
		},
		costRow{
			figure: "whole process, sampled 1 KB with equivalent bodies (real comparator and telemetry), over bare",
			target: "≤ 110k",
			ours:   process("Middleware/wrapped/sampled/real/1KB"), otelhttp: process("Middleware/otelhttp/1KB"), chiLogs: process("Middleware/logger/1KB"),
		},
		costRow{figure: "comparator, 10 KB equivalent bodies", target: "≤ 20 instr/B",
			ours: r.perByte("Compare/10KB/equivalent"), otelhttp: "–", chiLogs: "–"},
		costRow{figure: "comparator, 100 KB and 1 MB equivalent bodies", target: "flat: ≤ 20 instr/B",
			ours: r.perByte("Compare/100KB/equivalent") + " / " + r.perByte("Compare/1024KB/equivalent"), otelhttp: "–", chiLogs: "–"},
		costRow{figure: "comparator, 10 KB with changed fields (the price of every tenth item)", target: "≤ 25 instr/B",
			ours: r.perByte("Compare/10KB/mismatch"), otelhttp: "–", chiLogs: "–"},
	)
	return rows
}

// overBare describes the count of name in unit over that of bare, with
// the allocations on the benchmark's goroutine over bare's when allocs;
// "–" when either was not counted.
func (r *Report) overBare(name, bare, unit string, allocs bool) string {
	m, ok1 := findFirst(r.Callgrind, []string{name})
	base, ok2 := findFirst(r.Callgrind, []string{bare})
	v, ok3 := m.Median[unit]
	bv, ok4 := base.Median[unit]
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return "–"
	}
	s := fmt.Sprintf("%+.0f", v-bv)
	a, ok5 := m.Median[unitGoroutineAllocs]
	ba, ok6 := base.Median[unitGoroutineAllocs]
	if allocs && ok5 && ok6 {
		s += fmt.Sprintf(" (%+.0f allocations)", a-ba)
	}
	return s
}

// perByte describes a comparison's instructions per byte of the pair and
// in all; "–" when not counted.
func (r *Report) perByte(name string) string {
	m, ok := findFirst(r.Callgrind, []string{name})
	in, ok1 := m.Median[unitInstructions]
	bytes, ok2 := m.Median[unitBytes]
	if !ok || !ok1 || !ok2 || bytes <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f instr/B (%.0fk)", in/bytes, in/1000)
}
