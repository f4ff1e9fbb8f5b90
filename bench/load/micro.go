package load

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Micro is one benchmark of `go test -bench` output, over all its runs
// (-count): the median of each metric.
type Micro struct {
	Name string // without "Benchmark" and the -GOMAXPROCS suffix
	Runs int
	// Iterations is the iteration count of its last run; for
	// out/callgrind.txt, the requests the count is the difference of.
	Iterations int
	// Median holds the median of each metric by unit: "ns/op", "B/op",
	// "allocs/op", and any custom metric.
	Median map[string]float64
}

// procsSuffix is the -GOMAXPROCS suffix go test adds to names.
var procsSuffix = regexp.MustCompile(`-\d+$`)

// ParseBenchmarks reads `go test -bench` output and returns its benchmarks
// in order of first appearance. Lines that are not results are skipped.
func ParseBenchmarks(r io.Reader) ([]Micro, error) {
	var order []string
	samples := map[string]map[string][]float64{}
	lastIterations := map[string]int{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		// Name, iterations, then value-unit pairs.
		if len(fields) < 4 || len(fields)%2 != 0 || !strings.HasPrefix(fields[0], "Benchmark") {
			continue
		}
		iterations, err := strconv.Atoi(fields[1])
		if err != nil {
			continue
		}
		name := procsSuffix.ReplaceAllString(strings.TrimPrefix(fields[0], "Benchmark"), "")
		values := map[string]float64{}
		ok := true
		for i := 2; i < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				ok = false
				break
			}
			values[fields[i+1]] = v
		}
		if !ok {
			continue
		}
		if samples[name] == nil {
			samples[name] = map[string][]float64{}
			order = append(order, name)
		}
		lastIterations[name] = iterations
		for unit, v := range values {
			samples[name][unit] = append(samples[name][unit], v)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("load: reading benchmark output: %w", err)
	}
	out := make([]Micro, 0, len(order))
	for _, name := range order {
		m := Micro{Name: name, Iterations: lastIterations[name], Median: map[string]float64{}}
		for unit, vs := range samples[name] {
			m.Median[unit] = median(vs)
			m.Runs = max(m.Runs, len(vs))
		}
		out = append(out, m)
	}
	return out, nil
}

// median returns the median of vs, the mean of the middle two for an even
// count. vs is sorted in place.
func median(vs []float64) float64 {
	slices.Sort(vs)
	n := len(vs)
	if n%2 == 1 {
		return vs[n/2]
	}
	return (vs[n/2-1] + vs[n/2]) / 2
}

// FindMicro returns the benchmark called name.
func FindMicro(ms []Micro, name string) (Micro, bool) {
	for _, m := range ms {
		if m.Name == name {
			return m, true
		}
	}
	return Micro{}, false
}
