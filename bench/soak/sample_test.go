//go:build soak

package soak

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
)

// sample is one row of the table.
type sample struct {
	at         time.Duration // since the load began
	phase      string
	rssMB      float64
	goroutines float64
	heapMB     float64
	inflight   float64 // shadows in flight
	requests   int
	errors     int // user errors: 5xx or no answer
	p99        time.Duration
}

// sampler takes a sample of the service and of the load every interval.
type sampler struct {
	svc   *service
	gen   *generator
	state *faultState
	start time.Time

	mu      sync.Mutex
	phase   string
	last    time.Time
	samples []sample
}

func newSampler(svc *service, gen *generator, state *faultState) *sampler {
	now := time.Now()
	return &sampler{svc: svc, gen: gen, state: state, start: now, last: now}
}

func (s *sampler) setPhase(p string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.phase = p
}

func (s *sampler) run(ctx context.Context, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			s.take()
		}
	}
}

// final takes the last sample once the load has stopped and the shadows
// of its last requests have ended (they are bounded by the shadow
// timeout), so that the sample shows what stays, not what is finishing.
func (s *sampler) final() {
	deadline := time.Now().Add(30 * time.Second)
	for scrape(s.svc.admin)["shadowread_inflight"] > 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	s.setPhase("after the load")
	s.take()
}

func (s *sampler) take() {
	s.mu.Lock()
	from, phase := s.last, s.phase
	s.mu.Unlock()
	now := time.Now()
	outcomes := s.gen.window(from, now)
	row := sample{at: now.Sub(s.start).Round(time.Second), phase: phase, requests: len(outcomes)}
	var latencies []time.Duration
	for _, o := range outcomes {
		if o.failed {
			row.errors++
		}
		if o.latency > 0 {
			latencies = append(latencies, o.latency)
		}
	}
	if len(latencies) > 0 {
		slices.Sort(latencies)
		row.p99 = latencies[(len(latencies)*99)/100]
	}
	row.rssMB = rssMB(s.svc.pid)
	metrics := scrape(s.svc.admin)
	row.goroutines = metrics["go_goroutine_count"]
	row.heapMB = metrics["go_memory_used_bytes"] / (1 << 20)
	row.inflight = metrics["shadowread_inflight"]
	s.mu.Lock()
	defer s.mu.Unlock()
	s.samples = append(s.samples, row)
	s.last = now
}

func (s *sampler) table() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "t\tphase\tRSS MB\tgoroutines\theap MB\tshadows in flight\trequests\tuser errors\tp99 ms\t")
	for _, r := range s.samples {
		fmt.Fprintf(w, "%v\t%s\t%.0f\t%.0f\t%.0f\t%.0f\t%d\t%d\t%.1f\t\n", r.at, r.phase, r.rssMB, r.goroutines,
			r.heapMB, r.inflight, r.requests, r.errors, float64(r.p99.Microseconds())/1000)
	}
	w.Flush()
	return b.String()
}

// plateauFailures compares the last sample, taken after every fault
// ended and the load stopped, with the plateau: the first sample, at the
// end of the warm-up. A level that stays well above it grew and did not
// come back.
func (s *sampler) plateauFailures() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.samples) < 2 {
		return []string{"fewer than two samples: no plateau to compare with"}
	}
	base, end := s.samples[0], s.samples[len(s.samples)-1]
	var out []string
	check := func(name string, baseV, endV, slack float64) {
		if endV > 1.5*baseV+slack {
			out = append(out, fmt.Sprintf("%s did not return to its plateau: %.0f at the end, %.0f on the plateau", name, endV, baseV))
		}
	}
	check("RSS (MB)", base.rssMB, end.rssMB, 30)
	check("goroutines", base.goroutines, end.goroutines, 50)
	check("heap (MB)", base.heapMB, end.heapMB, 20)
	check("shadows in flight", base.inflight, end.inflight, 5)
	return out
}

// rssMB reads the process's resident set size.
func rssMB(pid int) float64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// scrape sums each metric of the service's /metrics over its labels.
func scrape(admin string) map[string]float64 {
	out := map[string]float64{}
	resp, err := http.Get("http://" + admin + "/metrics")
	if err != nil {
		return out
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		name, rest := line, ""
		if i := strings.IndexAny(line, "{ "); i >= 0 {
			name = line[:i]
		}
		if j := strings.LastIndex(line, "} "); j >= 0 {
			rest = line[j+2:]
		} else {
			_, rest, _ = strings.Cut(line, " ")
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			continue
		}
		v, err := strconv.ParseFloat(fields[0], 64)
		if err == nil {
			out[name] += v
		}
	}
	return out
}
