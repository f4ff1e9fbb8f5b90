package load

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// writeCallgrind lists the instruction counts of out/callgrind.txt.
func (r *Report) writeCallgrind(b *strings.Builder) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	w("## Instructions per request (callgrind)\n\n")
	if len(r.Callgrind) == 0 {
		w("Not measured (`make callgrind` writes out/callgrind.txt; it needs valgrind).\n\n")
		return
	}
	w("`make callgrind` runs each benchmark under valgrind's callgrind twice, with `-test.benchtime` N and 3N\n")
	w("(GOGC=off GODEBUG=asyncpreemptoff=1,cpu.rdtscp=off GOMAXPROCS=1), and divides the difference of the two totals by 2N, so\n")
	w("the set-up cancels out. instructions/op is the whole process; goroutine-instructions/op, the benchmark's own goroutine,\n")
	w("pinned to its thread, which callgrind counts apart. The sampled cases wait for each request's shadow to be recorded\n")
	w("before the next, so none is dropped (a case that drops one fails); every Middleware case ends its requests with the same\n")
	w("switch to another goroutine and back. Except in the real case, their shadow handler returns at once and their\n")
	w("comparator says equal without looking. allocs/op and the other metrics are those of the 3N run.\n\n")
	r.writeCostRows(b)
	w("| benchmark | iterations counted | instructions/op | over its bare case | other |\n|---|---|---|---|---|\n")
	for _, m := range r.Callgrind {
		over := "–"
		if bare, ok := r.instructions(bareOf(m.Name)); ok && bareOf(m.Name) != m.Name {
			over = fmt.Sprintf("%+.0f", m.Median[unitInstructions]-bare)
		}
		var other []string
		for _, unit := range slices.Sorted(maps.Keys(m.Median)) {
			// Times under valgrind say nothing of the code.
			if unit != unitInstructions && unit != "ns/op" && unit != "cpu-ns/op" {
				other = append(other, strconv.FormatFloat(m.Median[unit], 'f', -1, 64)+" "+unit)
			}
		}
		w("| %s | %d | %.0f | %s | %s |\n", m.Name, m.Iterations, m.Median[unitInstructions], over, strings.Join(other, ", "))
	}
	w("\n")
	r.writeFunctions(b)
}

// writeFunctions shows where each case's instructions go: for a case with
// a bare baseline, the functions that cost more than in the baseline; for
// the others, the dearest functions.
func (r *Report) writeFunctions(b *strings.Builder) {
	if len(r.CallgrindFunctions) == 0 {
		return
	}
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	w("Where the instructions go: each function's own instructions per request (callgrind_annotate, the same difference of\n")
	w("two runs), over the bare case's for the cases that have one; the dearest %d:\n\n", topFunctions)
	w("| benchmark | functions |\n|---|---|\n")
	for _, m := range r.Callgrind {
		if line := r.topFunctions(m.Name); line != "" {
			w("| %s | %s |\n", m.Name, line)
		}
	}
	w("\n")
}

// topFunctions is how many functions the report names per case.
const topFunctions = 8

// topFunctions describes the dearest functions of a case, over its bare
// case if it has one; "" if the case has none.
func (r *Report) topFunctions(name string) string {
	base := bareOf(name)
	if base == name {
		base = ""
	}
	var parts []string
	for _, c := range costsOver(r.CallgrindFunctions, name, base, topFunctions) {
		parts = append(parts, fmt.Sprintf("%s %+.0f", shortFunction(c.Function), c.Instructions))
	}
	return strings.Join(parts, ", ")
}

// bareOf returns the name of the bare baseline of a router case:
// NotSampled/chi/postgres → NotSampled/chi/bare, Middleware/wrapped/sampled/1KB
// → Middleware/bare/1KB; other names are returned as they are.
func bareOf(name string) string {
	parts := strings.Split(name, "/")
	switch {
	case parts[0] == "NotSampled" && len(parts) == 3:
		return parts[0] + "/" + parts[1] + "/bare"
	case parts[0] == "Middleware" && len(parts) >= 3 && parts[1] != "copy":
		return "Middleware/bare/" + parts[len(parts)-1]
	}
	return name
}
