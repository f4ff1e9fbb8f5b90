package load

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// FunctionCost is one function's own instructions per request in one
// callgrind case (out/callgrind-functions.txt): where the count goes.
type FunctionCost struct {
	Case         string // the benchmark, as in out/callgrind.txt
	Function     string
	Instructions float64
}

// ParseFunctionCosts reads out/callgrind-functions.txt: lines of case,
// instructions per request and function, tab-separated. Other lines are
// skipped.
func ParseFunctionCosts(r io.Reader) ([]FunctionCost, error) {
	var out []FunctionCost
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if len(fields) != 3 {
			continue
		}
		v, err := strconv.ParseFloat(fields[1], 64)
		if err != nil {
			continue
		}
		out = append(out, FunctionCost{Case: fields[0], Function: fields[2], Instructions: v})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("load: reading function costs: %w", err)
	}
	return out, nil
}

// costsOver returns, for the functions of name, their instructions per
// request over those of base (all of them if base is ""), the largest
// first, at most n.
func costsOver(costs []FunctionCost, name, base string, n int) []FunctionCost {
	by := map[string]float64{}
	for _, c := range costs {
		switch c.Case {
		case name:
			by[c.Function] += c.Instructions
		case base:
			by[c.Function] -= c.Instructions
		}
	}
	var out []FunctionCost
	for fn, v := range by {
		if v >= 1 {
			out = append(out, FunctionCost{Case: name, Function: fn, Instructions: v})
		}
	}
	slices.SortFunc(out, func(a, b FunctionCost) int {
		if a.Instructions != b.Instructions {
			return cmp.Compare(b.Instructions, a.Instructions)
		}
		return strings.Compare(a.Function, b.Function)
	})
	return out[:min(n, len(out))]
}

// shortFunction drops the module path of shadowread's own functions.
func shortFunction(fn string) string {
	return strings.TrimPrefix(fn, "github.com/shadowread/shadowread/")
}
