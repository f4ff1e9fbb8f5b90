package load

import (
	"strings"
	"testing"
)

func TestParseFunctionCosts(t *testing.T) {
	const out = "NotSampled/chi/postgres\t523.8\truntime.mallocgcSmallScanNoHeader\n" +
		"NotSampled/chi/postgres\t-1.5\tgithub.com/go-chi/chi/v5.(*Mux).ServeHTTP\n" +
		"a line that is not a cost\n" +
		"NotSampled/chi/postgres\tmany\truntime.memmove\n"
	costs, err := ParseFunctionCosts(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	want := []FunctionCost{
		{"NotSampled/chi/postgres", "runtime.mallocgcSmallScanNoHeader", 523.8},
		{"NotSampled/chi/postgres", "github.com/go-chi/chi/v5.(*Mux).ServeHTTP", -1.5},
	}
	if len(costs) != len(want) {
		t.Fatalf("parsed %v, want %v: lines without three fields or a number are skipped", costs, want)
	}
	for i := range want {
		if costs[i] != want[i] {
			t.Errorf("cost %d = %+v, want %+v", i, costs[i], want[i])
		}
	}
}

func TestCostsOver(t *testing.T) {
	costs := sampleReport().CallgrindFunctions
	tests := []struct {
		name, base string
		n          int
		want       []string
		reason     string
	}{
		{name: "NotSampled/chi/dynamodb", base: "NotSampled/chi/bare", n: 8,
			want:   []string{"runtime.mallocgc", "github.com/shadowread/shadowread/middleware.(*wrapped).ServeHTTP", "context.(*valueCtx).Value"},
			reason: "the router's own cost is in the baseline too, and under one instruction is noise"},
		{name: "NotSampled/chi/dynamodb", base: "NotSampled/chi/bare", n: 1, want: []string{"runtime.mallocgc"}, reason: "the dearest first, at most n"},
		{name: "Compare/10KB/equivalent", n: 8, want: []string{"github.com/shadowread/shadowread/comparator.(*decoder).value"}, reason: "no baseline: the function's own count"},
		{name: "NotSampled/servemux/dynamodb", n: 8, reason: "no costs for the case"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, c := range costsOver(costs, tt.name, tt.base, tt.n) {
				got = append(got, c.Function)
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("costsOver = %q, want %q (%s)", got, tt.want, tt.reason)
			}
		})
	}
}
