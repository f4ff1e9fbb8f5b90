package load

import (
	"strings"
	"testing"
)

const benchOutput = `goos: linux
goarch: amd64
pkg: github.com/shadowread/shadowread/bench
cpu: AMD EPYC
BenchmarkMiddleware/bare/1KB-2         	 1261718	       985.4 ns/op	1039.12 MB/s	     720 B/op	       5 allocs/op
BenchmarkMiddleware/bare/1KB-2         	 1261718	       1000 ns/op	1039.12 MB/s	     720 B/op	       5 allocs/op
BenchmarkMiddleware/bare/1KB-2         	 1261718	       2000 ns/op	1039.12 MB/s	     720 B/op	       5 allocs/op
BenchmarkMiddleware/wrapped/sampled/1KB-2   	  103174	     17019 ns/op	  60.17 MB/s	         0 dropped/op	         1.000 shadows/op	    5262 B/op	      47 allocs/op
BenchmarkMiddleware/wrapped/sampled/1KB-2   	  103174	     15000 ns/op	  60.17 MB/s	         0 dropped/op	         1.000 shadows/op	    5200 B/op	      45 allocs/op
BenchmarkMiddleware/wrapped/not-sampled/flagd-2               	{"level":"info","msg":"interleaved log line"}
BenchmarkDecide/cached/memprovider   	29091976	        85.52 ns/op	         0.1000 sampled/op	       0 B/op	       0 allocs/op
PASS
ok  	github.com/shadowread/shadowread/bench	12.671s
`

func TestParseBenchmarks(t *testing.T) {
	ms, err := ParseBenchmarks(strings.NewReader(benchOutput))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		reason string
		unit   string
		want   float64
		runs   int
	}{
		{name: "Middleware/bare/1KB", reason: "median of three runs", unit: "ns/op", want: 1000, runs: 3},
		{name: "Middleware/bare/1KB", reason: "throughput is a metric too", unit: "MB/s", want: 1039.12, runs: 3},
		{name: "Middleware/wrapped/sampled/1KB", reason: "mean of the middle two of an even count", unit: "allocs/op", want: 46, runs: 2},
		{name: "Middleware/wrapped/sampled/1KB", reason: "custom metrics are kept", unit: "shadows/op", want: 1, runs: 2},
		{name: "Decide/cached/memprovider", reason: "a name without the -GOMAXPROCS suffix (GOMAXPROCS=1)", unit: "sampled/op", want: 0.1, runs: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name+" "+tt.unit, func(t *testing.T) {
			m, ok := FindMicro(ms, tt.name)
			if !ok {
				t.Fatalf("%s not parsed; got %v", tt.name, ms)
			}
			if got := m.Median[tt.unit]; got != tt.want || m.Runs != tt.runs {
				t.Errorf("%s = %v over %d runs, want %v over %d (%s)", tt.unit, got, m.Runs, tt.want, tt.runs, tt.reason)
			}
		})
	}
	if m, _ := FindMicro(ms, "Middleware/bare/1KB"); m.Iterations != 1261718 {
		t.Errorf("Iterations = %d, want the last run's 1261718", m.Iterations)
	}
	if _, ok := FindMicro(ms, "Middleware/wrapped/not-sampled/flagd"); ok {
		t.Error("a result line cut by a log line was parsed")
	}
	if len(ms) != 3 {
		t.Errorf("parsed %d benchmarks, want 3 in order of appearance: %v", len(ms), ms)
	}
}

// TestParseCallgrind reads out/callgrind.txt as make callgrind writes it.
func TestParseCallgrind(t *testing.T) {
	const out = "BenchmarkNotSampled/chi/bare\t40000\t3196.0 instructions/op 4 allocs/op\n" +
		"BenchmarkMiddleware/wrapped/sampled/1KB\t4000\t15230.5 instructions/op 1 shadows/op 0 dropped/op 31 allocs/op\n"
	ms, err := ParseBenchmarks(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, unit string
		want       float64
		reason     string
	}{
		{"NotSampled/chi/bare", unitInstructions, 3196, "the count per request"},
		{"NotSampled/chi/bare", "allocs/op", 4, "the 3N run's allocations"},
		{"Middleware/wrapped/sampled/1KB", "dropped/op", 0, "custom metrics of the run"},
		{"Middleware/wrapped/sampled/1KB", unitInstructions, 15230.5, "a fraction of an instruction"},
	}
	for _, tt := range tests {
		m, ok := FindMicro(ms, tt.name)
		if got := m.Median[tt.unit]; !ok || got != tt.want {
			t.Errorf("%s %s = %v (found %v), want %v (%s)", tt.name, tt.unit, got, ok, tt.want, tt.reason)
		}
	}
	if m, _ := FindMicro(ms, "NotSampled/chi/bare"); m.Iterations != 40000 {
		t.Errorf("Iterations = %d, want the 40000 requests the count is the difference of", m.Iterations)
	}
}
