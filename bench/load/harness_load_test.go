//go:build loadbench && linux

package load

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shadowread/shadowread/internal/testenv"
)

// The harness runs only with the loadbench build tag, from bench/Makefile:
//
//	cd bench && ../scripts/with-servers.sh go test -tags loadbench -run '^TestLoad$' -timeout 40m ./load -args -load.results=...
var (
	flagResults   = flag.String("load.results", "", "write the report to this file (RESULTS.md) and the charts beside it; empty: only log it")
	flagMicro     = flag.String("load.micro", "", "output of go test -bench in bench/ to include in the report")
	flagFunctions = flag.String("load.callgrind-functions", "", "instructions per request by function (out/callgrind-functions.txt) to include in the report")
	flagCallgrind = flag.String("load.callgrind", "", "instructions per request counted by make callgrind (out/callgrind.txt) to include in the report")
	flagLogs      = flag.String("load.logs", "", "directory for the logs of the processes (default: a temporary one)")
	flagRounds    = flag.Int("load.rounds", 6, "rounds; each runs every variant once")
	flagMeasure   = flag.Duration("load.measure", 7*time.Second, "measured time per variant and round")
	flagWarmup    = flag.Duration("load.warmup", time.Second, "unmeasured load before each measurement")
	flagRate      = flag.Float64("load.rate", 0, "requests per second for every variant; 0: -load.share of the measured capacity")
	flagShare     = flag.Float64("load.share", 0.4, "share of the synchronous variant's closed-loop capacity to offer, when -load.rate is 0")
	flagSlowdown  = flag.Float64("load.slowdown", 10, "how many times slower the slow shadow store reads")
	flagOnly      = flag.String("load.variants", "", "comma-separated variant keys to run (default all; the baseline always runs)")
	flagCommit    = flag.String("load.commit", "", "the revision measured, for the report")
	flagReplay    = flag.Duration("load.replay-delay", 500*time.Microsecond, "delay of the replayed DynamoDB stand-in's answers (variants 6a and 6b)")
	flagPin       = flag.Bool("load.pin", true, "run the generator with GOMAXPROCS 1 on one CPU, so its own lateness is steadier and measured apart")
)

// Shop size and request mix.
const (
	products  = 1000
	customers = 200
	orders    = 3000
	// capacityWorkers is the concurrency of the capacity measurement.
	capacityWorkers = 32
	// settle lets the shadows of a variant finish before the next one.
	settle = 500 * time.Millisecond
)

// shopMix is the request mix: mostly product pages, then orders and
// order lists, each for a customer (the flags' sticky targeting key).
func shopMix() Mix {
	customer := func(rng *rand.Rand) http.Header {
		return http.Header{"X-Customer-Id": {strconv.Itoa(1 + rng.IntN(customers))}}
	}
	return Mix{
		{Name: "product", Weight: 60, New: func(rng *rand.Rand) Request {
			return Request{Path: fmt.Sprintf("/products/%d", 1+rng.IntN(products)), Header: customer(rng)}
		}},
		{Name: "order", Weight: 25, New: func(rng *rand.Rand) Request {
			return Request{Path: fmt.Sprintf("/orders/%d", 1+rng.IntN(orders)), Header: customer(rng)}
		}},
		{Name: "order list", Weight: 15, New: func(rng *rand.Rand) Request {
			h := customer(rng)
			return Request{Path: "/customers/" + h.Get("X-Customer-Id") + "/orders?limit=10", Header: h}
		}},
	}
}

const mixDescription = "60% GET /products/{id}, 25% GET /orders/{id}, 15% GET /customers/{id}/orders?limit=10 " +
	"(1,000 products with 1 to 3 variants, 3,000 orders of 200 customers; ids uniform, X-Customer-Id uniform)"

// target is where a variant's load goes.
type target struct {
	variant Variant
	url     string
	svc     *service // the process to watch and ask for outcomes; nil for nginx
	pids    []int    // the variant's processes, whose CPU is its own
}

func TestLoad(t *testing.T) {
	began := time.Now()
	ctx := context.Background()
	logs := *flagLogs
	if logs == "" {
		logs = t.TempDir()
	} else if err := os.MkdirAll(logs, 0o755); err != nil {
		t.Fatal(err)
	}
	machine := describeMachine(t)

	bin := buildService(t)
	pgURL, ddbEndpoint := testenv.NewDatabase(t), testenv.DynamoDBEndpoint(t)
	table := testenv.UniqueName(t, "bench")
	t.Logf("seeding: %s", runOnce(t, bin, "seed", "-pg", pgURL, "-ddb", ddbEndpoint, "-table", table,
		"-products", strconv.Itoa(products), "-customers", strconv.Itoa(customers), "-orders", strconv.Itoa(orders)))

	ddbAddr := hostPort(t, ddbEndpoint)
	proxy := testenv.NewDelayProxy(t, ddbAddr, 0)
	direct, slow, delay := calibrateDelay(t, bin, ddbEndpoint, "http://"+proxy.Addr(), table, proxy.SetDelay)
	t.Logf("shadow store: %v direct, %v through the proxy with %v delay", direct, slow, delay)

	var replayer *Replayer
	replayURL := ""
	if selected(KeyReplay10) || selected(KeyReplay100) {
		replayer, replayURL = startReplayer(t, ddbEndpoint, *flagReplay)
	}
	targets := startTargets(t, bin, logs, pgURL, ddbEndpoint, "http://"+proxy.Addr(), replayURL, table)
	if replayer != nil {
		recordReplay(t, bin, logs, pgURL, replayURL, table, replayer)
	}
	meter := newCPUMeter(t, pgURL, ddbEndpoint)
	client := newLoadClient(t)
	gen := &Generator{Client: client, MaxInFlight: 4096}
	// Every process has started: from here on the harness's threads and
	// any child would inherit the pinning.
	pinned := -1
	if *flagPin {
		pinned = pinHarness(t)
	}

	rate := *flagRate
	capacity := measureCapacity(t, gen, targets, KeyBare)
	both := measureCapacity(t, gen, targets, KeySync)
	if rate == 0 {
		if both == 0 {
			t.Fatalf("-load.rate 0 takes a share of the capacity of variant %s; run it too or give a rate", KeySync)
		}
		rate = math.Round(*flagShare*both/10) * 10
	}
	t.Logf("capacity closed loop with %d clients: %.0f req/s without middleware, %.0f req/s reading both stores; offering %.0f req/s",
		capacityWorkers, capacity, both, rate)

	results := make([]VariantResult, len(targets))
	for i, tg := range targets {
		results[i].Variant = tg.variant
	}
	var memory []MemorySample
	profiles := make([][]string, len(targets)) // CPU profile files per variant
	loadBefore := loadAverage(t)
	warmup, measure := NewSchedule(rate, *flagWarmup), NewSchedule(rate, *flagMeasure)
	order := runOrder(targets)
	for round := range *flagRounds {
		reqs := shopMix().Requests(uint64(round+1), measure.Count()+warmup.Count())
		// Rotate the order, so no variant always follows the same one.
		for k := range order {
			i := order[(k+round)%len(order)]
			tg := targets[i]
			gen.Run(ctx, tg.url, warmup, reqs[measure.Count():])
			var sampler *memorySampler
			if tg.variant.Key == KeySlowShadow {
				sampler = startMemorySampler(tg.svc, client, lastAt(memory))
			}
			var prof *profileFetch
			if tg.svc != nil {
				prof = startProfile(client, tg.svc, *flagMeasure, filepath.Join(logs, fmt.Sprintf("%s-round%d.pprof", tg.variant.Key, round+1)))
			}
			before, rtBefore := meter.snapshot(t, tg.pids), runtimeOf(t, client, tg.svc)
			res := gen.Run(ctx, tg.url, measure, reqs)
			results[i].CPU.Add(meter.snapshot(t, tg.pids).since(before))
			if prof != nil {
				if path := prof.wait(t); path != "" {
					profiles[i] = append(profiles[i], path)
				}
			}
			if tg.svc != nil {
				results[i].Runtime.Add(runtimeOf(t, client, tg.svc).Sub(rtBefore))
			}
			if sampler != nil {
				memory = append(memory, sampler.stop(t)...)
			}
			results[i].Rounds = append(results[i].Rounds, res)
			t.Logf("round %d %-36s %6.0f req/s  p50 %6s  p99 %6s  p99.9 %6s ms  failed %d", round+1, tg.variant.Name,
				res.Throughput(), ms(res.Latency.Quantile(0.5)), ms(res.Latency.Quantile(0.99)), ms(res.Latency.Quantile(0.999)), res.Failed())
			time.Sleep(settle)
		}
	}
	loadAfter := loadAverage(t)
	for i, tg := range targets {
		if tg.svc != nil {
			results[i].Outcomes = outcomes(t, client, tg.svc)
		}
		// After the rounds, so that pprof's own CPU is not in them.
		results[i].Profile = profileComponents(t, profiles[i])
	}
	// Failed requests are a result, shown in the report, not a failure of
	// the harness: on a shared machine a variant may run out of headroom.
	for _, r := range results {
		if total := r.Total(); total.Failed() > 0 {
			t.Logf("%s: %d requests failed (statuses %v, errors %d, overflow %d); see the logs in %s",
				r.Name, total.Failed(), total.Statuses, total.Errors, total.Overflow, logs)
		}
	}

	machine.LoadBefore, machine.LoadAfter, machine.Commit = loadBefore, loadAfter, *flagCommit
	report := &Report{
		Machine: machine,
		Setup: Setup{
			Rate: rate, Capacity: capacity, BothCapacity: both, CapacityWorkers: capacityWorkers,
			Warmup: *flagWarmup, Measure: *flagMeasure, Rounds: *flagRounds, Mix: mixDescription,
			DirectRead: direct, SlowRead: slow, ShadowDelay: delay, Elapsed: time.Since(began),
			ReplayDelay: *flagReplay, PinnedCPU: pinned,
		},
		Variants:           results,
		Memory:             memory,
		Micro:              readBenchmarks(t, *flagMicro),
		Callgrind:          readBenchmarks(t, *flagCallgrind),
		CallgrindFunctions: readFunctionCosts(t, *flagFunctions),
	}
	if replayer != nil {
		report.Setup.Replay = replayer.Stats()
	}
	writeReport(t, report)
}

// runOrder returns the indexes of targets in the order they run within a
// round: as listed, except that the second measurement of the baseline
// runs half a round away from the first, so that the two see unrelated
// moments of the machine's noise.
func runOrder(targets []target) []int {
	var order []int
	again := -1
	for i, tg := range targets {
		if tg.variant.Key == KeyBareAgain {
			again = i
			continue
		}
		order = append(order, i)
	}
	if again >= 0 {
		mid := (len(order) + 1) / 2
		order = append(order[:mid], append([]int{again}, order[mid:]...)...)
	}
	return order
}

// measureCapacity returns the closed-loop throughput of the variant with
// key, or 0 if it is not running.
func measureCapacity(t *testing.T, gen *Generator, targets []target, key string) float64 {
	t.Helper()
	for _, tg := range targets {
		if tg.variant.Key != key {
			continue
		}
		ctx := context.Background()
		gen.Saturate(ctx, tg.url, shopMix().Requests(98, 10_000), capacityWorkers, 2*time.Second) // warm-up
		res := gen.Saturate(ctx, tg.url, shopMix().Requests(99, 100_000), capacityWorkers, 8*time.Second)
		if res.Failed() > 0 {
			t.Fatalf("capacity of %s: %d of %d requests failed: %v", tg.variant.Name, res.Failed(), res.Answered(), res.Statuses)
		}
		time.Sleep(settle)
		return res.Throughput()
	}
	return 0
}

// buildService builds bench/service, the target, into a temporary directory.
func buildService(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "service")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = filepath.Join("..", "service")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building bench/service: %v\n%s", err, out)
	}
	return bin
}

// calibrateDelay finds the proxy delay that makes DynamoDB product reads
// slowdown times slower than direct ones. The proxy delays each chunk a
// client writes, and a read may take more than one, so the delay is
// corrected from what the reads through the proxy take, up to three times.
func calibrateDelay(t *testing.T, bin, direct, proxied, table string, setDelay func(time.Duration)) (directRead, slowRead, delay time.Duration) {
	t.Helper()
	probe := func(endpoint string) time.Duration {
		line := runOnce(t, bin, "probe", "-ddb", endpoint, "-table", table, "-products", strconv.Itoa(products), "-reads", "300")
		var ns int64
		var reads int
		if _, err := fmt.Sscanf(line, "p50_ns=%d reads=%d", &ns, &reads); err != nil {
			t.Fatalf("probe printed %q: %v", line, err)
		}
		return time.Duration(ns)
	}
	directRead = probe(direct)
	want := time.Duration(*flagSlowdown * float64(directRead))
	delay = want - directRead
	setDelay(delay)
	slowRead = probe(proxied)
	for range 3 {
		added := slowRead - directRead
		if added <= 0 || math.Abs(float64(slowRead-want)) < 0.05*float64(want) {
			break
		}
		delay = time.Duration(float64(delay) * float64(want-directRead) / float64(added))
		setDelay(delay)
		slowRead = probe(proxied)
	}
	return directRead, slowRead, delay
}

// startTargets starts one service per variant (and nginx) and returns them
// in the order of Variants, filtered by -load.variants.
func startTargets(t *testing.T, bin, logs, pgURL, ddb, slowDDB, replayDDB, table string) []target {
	t.Helper()
	args := map[string][]string{
		KeyBare:       {"-mode", "none"},
		KeyShadow0:    {"-mode", "shadow", "-sample", "0"},
		KeyShadow10:   {"-mode", "shadow", "-sample", "10"},
		KeyShadow100:  {"-mode", "shadow", "-sample", "100"},
		KeySlowShadow: {"-mode", "shadow", "-sample", "100"},
		KeySync:       {"-mode", "experiment"},
		KeySlowSync:   {"-mode", "experiment"},
		KeyReplay10:   {"-mode", "shadow", "-sample", "10"},
		KeyReplay100:  {"-mode", "shadow", "-sample", "100", "-guard", "1.2"},
	}
	slowStore := map[string]bool{KeySlowShadow: true, KeySlowSync: true}
	var targets []target
	var nginxProc *nginx
	var nginxPids []int
	for _, v := range Variants() {
		if !selected(v.Key) {
			continue
		}
		switch v.Key {
		case KeyBareAgain:
			base := targets[0] // the baseline comes first
			targets = append(targets, target{variant: v, url: base.url, svc: base.svc, pids: base.pids})
		case KeyNginx, KeyNginxMirror:
			if nginxProc == nil {
				common := []string{"-pg", pgURL, "-ddb", ddb, "-table", table}
				primary := startService(t, bin, "nginx-primary", logs, append([]string{"serve", "-mode", "none"}, common...)...)
				mirror := startService(t, bin, "nginx-mirror-target", logs, append([]string{"serve", "-mode", "dynamodb"}, common...)...)
				nginxProc = startNginx(t, logs, primary.addr, mirror.addr)
				nginxPids = []int{nginxProc.cmd.Process.Pid, primary.cmd.Process.Pid, mirror.cmd.Process.Pid}
			}
			addr := nginxProc.proxyAddr
			if v.Key == KeyNginxMirror {
				addr = nginxProc.mirrorAddr
			}
			targets = append(targets, target{variant: v, url: "http://" + addr, pids: nginxPids})
		default:
			store := ddb
			if slowStore[v.Key] {
				store = slowDDB
			}
			if IsReplay(v.Key) {
				store = replayDDB
			}
			svc := startService(t, bin, v.Key, logs, append([]string{"serve", "-pg", pgURL, "-ddb", store, "-table", table}, args[v.Key]...)...)
			targets = append(targets, target{variant: v, url: svc.url(), svc: svc, pids: []int{svc.cmd.Process.Pid}})
		}
	}
	return targets
}

// selected reports whether the variant with key runs: -load.variants lists
// it, or lists nothing; the baseline always runs.
func selected(key string) bool {
	if *flagOnly == "" || key == KeyBare || key == KeyBareAgain {
		return true
	}
	for _, k := range strings.Split(*flagOnly, ",") {
		if strings.TrimSpace(k) == key {
			return true
		}
	}
	return false
}

// newLoadClient returns the generator's HTTP client: keep-alive connections
// enough for every request in flight, closed when the test ends.
func newLoadClient(t *testing.T) *http.Client {
	transport := &http.Transport{
		MaxIdleConns:        0, // no limit
		MaxIdleConnsPerHost: 1024,
		IdleConnTimeout:     2 * time.Minute,
		DisableCompression:  true,
	}
	t.Cleanup(transport.CloseIdleConnections)
	return &http.Client{Transport: transport, Timeout: 30 * time.Second}
}

// memorySampler reads a service's RSS and goroutine count every second.
type memorySampler struct {
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	samples []MemorySample
	errs    []error
}

// startMemorySampler starts sampling; sample times continue from offset.
func startMemorySampler(svc *service, client *http.Client, offset time.Duration) *memorySampler {
	ctx, cancel := context.WithCancel(context.Background())
	m := &memorySampler{cancel: cancel}
	start := time.Now()
	m.wg.Go(func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			rss, err1 := svc.rss()
			g, err2 := svc.goroutines(client)
			if err1 != nil || err2 != nil {
				m.errs = append(m.errs, fmt.Errorf("sampling %s: %v, %v", svc.name, err1, err2))
				continue
			}
			m.samples = append(m.samples, MemorySample{At: offset + time.Since(start), RSS: rss, Goroutines: g})
		}
	})
	return m
}

// stop ends the sampling and returns the samples.
func (m *memorySampler) stop(t *testing.T) []MemorySample {
	m.cancel()
	m.wg.Wait()
	for _, err := range m.errs {
		t.Error(err)
	}
	return m.samples
}

func lastAt(samples []MemorySample) time.Duration {
	if len(samples) == 0 {
		return 0
	}
	return samples[len(samples)-1].At + time.Second
}

// runtimeOf reads a service's runtime counters; nothing for nginx.
func runtimeOf(t *testing.T, client *http.Client, svc *service) RuntimeStats {
	t.Helper()
	if svc == nil {
		return RuntimeStats{}
	}
	body, err := getText(client, "http://"+svc.debug+"/debug/runtime")
	if err != nil {
		t.Fatal(err)
	}
	// The JSON of bench/service's /debug/runtime.
	var rt struct {
		GCCycles        uint64    `json:"gc_cycles"`
		GCCPUSeconds    float64   `json:"gc_cpu_seconds"`
		TotalCPUSeconds float64   `json:"total_cpu_seconds"`
		SchedBuckets    []float64 `json:"sched_latency_buckets"`
		SchedCounts     []uint64  `json:"sched_latency_counts"`
	}
	if err := json.Unmarshal([]byte(body), &rt); err != nil || len(rt.SchedBuckets) != len(rt.SchedCounts)+1 {
		t.Fatalf("runtime figures of %s: %v in %.200s", svc.name, err, body)
	}
	seconds := func(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
	return RuntimeStats{GCCycles: rt.GCCycles, GCCPU: seconds(rt.GCCPUSeconds), CPU: seconds(rt.TotalCPUSeconds),
		SchedBuckets: rt.SchedBuckets, SchedCounts: rt.SchedCounts}
}

// outcomes reads the comparisons a service reported.
func outcomes(t *testing.T, client *http.Client, svc *service) map[string]uint64 {
	t.Helper()
	body, err := getText(client, "http://"+svc.debug+"/debug/outcomes")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]uint64{}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("outcomes of %s: %v", svc.name, err)
	}
	return out
}

// describeMachine notes what the run ran on.
func describeMachine(t *testing.T) Machine {
	t.Helper()
	m := Machine{CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), Date: time.Now()}
	if info, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(info)) {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	if rel, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(rel))
	}
	var tools []string
	if out, err := exec.Command("postgres", "--version").Output(); err == nil {
		tools = append(tools, strings.TrimSpace(string(out)))
	} else if bin := os.Getenv(testenv.EnvPostgresBin); bin != "" {
		if out, err := exec.Command(filepath.Join(bin, "postgres"), "--version").Output(); err == nil {
			tools = append(tools, strings.TrimSpace(string(out)))
		}
	}
	if out, err := exec.Command("nginx", "-v").CombinedOutput(); err == nil {
		tools = append(tools, strings.TrimSpace(string(out)))
	}
	if out, err := exec.Command("node", "--version").Output(); err == nil {
		tools = append(tools, "dynalite 4.0.0 on node "+strings.TrimSpace(string(out)))
	}
	m.Tools = strings.Join(tools, "; ") + "."
	return m
}

func loadAverage(t *testing.T) string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

func hostPort(t *testing.T, endpoint string) string {
	t.Helper()
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		t.Fatalf("%s=%q is not a URL with a host", testenv.EnvDynamoDBEndpoint, endpoint)
	}
	if _, _, err := net.SplitHostPort(u.Host); err != nil {
		t.Fatalf("%s=%q has no port", testenv.EnvDynamoDBEndpoint, endpoint)
	}
	return u.Host
}

// readBenchmarks reads benchmark results from path; none if path is empty.
func readBenchmarks(t *testing.T, path string) []Micro {
	t.Helper()
	if path == "" {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ms, err := ParseBenchmarks(f)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// readFunctionCosts reads function costs from path; none if path is empty.
func readFunctionCosts(t *testing.T, path string) []FunctionCost {
	t.Helper()
	if path == "" {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	costs, err := ParseFunctionCosts(f)
	if err != nil {
		t.Fatal(err)
	}
	return costs
}

// writeReport writes the report and its charts, or logs the report.
func writeReport(t *testing.T, r *Report) {
	t.Helper()
	text := r.Markdown()
	if *flagResults == "" {
		t.Log("\n" + text)
		return
	}
	dir := filepath.Dir(*flagResults)
	files := map[string][]byte{
		*flagResults:                     []byte(text),
		filepath.Join(dir, "chart.svg"):  RatioChart(r),
		filepath.Join(dir, "memory.svg"): MemoryChart(r.Memory),
	}
	for _, path := range slices.Sorted(maps.Keys(files)) {
		if err := os.WriteFile(path, files[path], 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", path)
	}
}
