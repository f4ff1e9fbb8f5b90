//go:build soak

package soak

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/internal/testenv"
)

// The timeline, from the start of the load. Faults are short, so the whole
// run fits in about six minutes; each store recovers for a while before
// the next fault.
const (
	warmUp     = 40 * time.Second // the plateau is sampled at its end
	stallDDB   = 30 * time.Second
	stopDDB    = 30 * time.Second
	stopPG     = 20 * time.Second
	flagsOff   = 15 * time.Second
	shareDDB   = 20 * time.Second // 30 % on DynamoDB before it stalls again
	stallShare = 20 * time.Second
	recovery   = 20 * time.Second // between faults
	settle     = 50 * time.Second // after the last fault, before the final sample
	// grace is how long after a store's fault it may still fail reads: the
	// pool's reconnect back-off and the backlog of a resumed process.
	grace = 15 * time.Second
)

// dataset sizes the catalog.
const (
	customers = 100
	products  = 200
	orders    = 2000
	ddbShare  = 30 // customers 1..30 read from DynamoDB during the share
)

func TestSoak(t *testing.T) {
	rate := envInt(t, "SOAK_RATE", 100)
	sampleEvery := envDuration(t, "SOAK_SAMPLE", 30*time.Second)

	pg := testenv.StartPostgres(t)
	ddb := testenv.StartDynalite(t)
	bin := buildCatalog(t)
	dir := t.TempDir()
	run(t, bin, "seed", "-pg", pg.URL(), "-dynamodb", ddb.Endpoint(), "-customers", strconv.Itoa(customers),
		"-products", strconv.Itoa(products), "-orders", strconv.Itoa(orders))
	run(t, bin, "backfill", "-pg", pg.URL(), "-dynamodb", ddb.Endpoint())

	flags := filepath.Join(dir, "catalog.flagd.json")
	writeFlags(t, flags, flagState{shadow: true})
	svc := startService(t, bin, dir, flags, pg.URL(), ddb.Endpoint())
	skus := variantSKUs(t, pg.URL())

	state := newFaultState()
	gen := newGenerator(svc.addr, rate, state, skus)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	loadDone := make(chan struct{})
	go func() { defer close(loadDone); gen.run(ctx) }()

	sampler := newSampler(svc, gen, state)
	samplerDone := make(chan struct{})
	go func() { defer close(samplerDone); sampler.run(ctx, sampleEvery) }()

	dynalitePID := listenerPID(t, portOf(t, ddb.Endpoint()))
	steps := []struct {
		name string
		wait time.Duration
		do   func()
	}{
		{"plateau", warmUp, func() {}},
		{"dynamodb stalled", stallDDB, func() {
			state.fault(backends.DynamoDB, "dynamodb stalled")
			signal(t, dynalitePID, syscall.SIGSTOP)
		}},
		{"recovering", recovery, func() {
			signal(t, dynalitePID, syscall.SIGCONT)
			state.heal(backends.DynamoDB, grace)
		}},
		{"dynamodb stopped", stopDDB, func() {
			state.fault(backends.DynamoDB, "dynamodb stopped")
			ddb.Stop()
		}},
		{"recovering", recovery, func() {
			ddb.Start()
			dynalitePID = listenerPID(t, portOf(t, ddb.Endpoint()))
			state.heal(backends.DynamoDB, grace)
		}},
		{"postgres stopped", stopPG, func() {
			state.fault(backends.Postgres, "postgres stopped")
			pg.Stop()
		}},
		{"recovering", recovery, func() {
			pg.Start()
			state.heal(backends.Postgres, grace)
		}},
		{"shadowing off", flagsOff, func() {
			state.flip("shadowing off")
			writeFlags(t, flags, flagState{shadow: false})
		}},
		{"shadowing on", recovery, func() {
			state.flip("shadowing on")
			writeFlags(t, flags, flagState{shadow: true})
		}},
		{"30% on dynamodb", shareDDB, func() {
			state.flip("30% on dynamodb")
			state.setShare(true)
			writeFlags(t, flags, flagState{shadow: true, share: true})
		}},
		{"dynamodb stalled, 30% primary", stallShare, func() {
			state.fault(backends.DynamoDB, "dynamodb stalled, 30% primary")
			signal(t, dynalitePID, syscall.SIGSTOP)
		}},
		{"settling", settle, func() {
			signal(t, dynalitePID, syscall.SIGCONT)
			state.heal(backends.DynamoDB, grace)
			state.flip("all on postgres")
			state.setShare(false)
			writeFlags(t, flags, flagState{shadow: true})
		}},
	}
	for _, s := range steps {
		sampler.setPhase(s.name)
		s.do()
		time.Sleep(s.wait)
	}
	stop()
	<-loadDone
	<-samplerDone
	sampler.final()

	report := sampler.table()
	fmt.Print(report)
	failures := gen.healthyFailures()
	failures = append(failures, verifyStores(t, bin, pg.URL(), ddb.Endpoint(), gen.ackedOrders())...)
	failures = append(failures, sampler.plateauFailures()...)
	fmt.Print(summary(gen, failures))
	if out := os.Getenv("SOAK_REPORT"); out != "" {
		if err := os.WriteFile(out, []byte(report+summary(gen, failures)), 0o644); err != nil {
			t.Error(err)
		}
	}
	for _, f := range failures {
		t.Error(f)
	}
}

// flagState is what the flag file says.
type flagState struct {
	shadow bool // shadowing on the read routes at 100 %
	share  bool // customers 1..ddbShare read from DynamoDB
}

func writeFlags(t *testing.T, path string, s flagState) {
	t.Helper()
	enabled := "off"
	if s.shadow {
		enabled = "on"
	}
	primary := `"defaultVariant": "postgres"`
	if s.share {
		keys := make([]string, ddbShare)
		for i := range keys {
			keys[i] = strconv.Quote(strconv.Itoa(i + 1))
		}
		primary = `"defaultVariant": "postgres",
      "targeting": { "if": [ { "in": [ { "var": "targetingKey" }, [` + strings.Join(keys, ", ") + `] ] }, "dynamodb", "postgres" ] }`
	}
	data := `{
  "$schema": "https://flagd.dev/schema/v0/flags.json",
  "flags": {
    "shadowread.enabled": {
      "state": "ENABLED", "variants": { "on": true, "off": false }, "defaultVariant": "` + enabled + `"
    },
    "shadowread.sample-percent": {
      "state": "ENABLED", "variants": { "all": 100 }, "defaultVariant": "all"
    },
    "shadowread.primary": {
      "state": "ENABLED", "variants": { "postgres": "postgres", "dynamodb": "dynamodb" },
      ` + primary + `
    },
    "shadowread.write-mode": {
      "state": "ENABLED", "variants": { "both": "both" }, "defaultVariant": "both"
    }
  }
}
`
	// Write and rename, so the service never reads half a file.
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// buildCatalog builds the example's command into the test's directory.
func buildCatalog(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "catalog")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/catalog")
	cmd.Dir = filepath.Join("..", "..", "example")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build the catalog: %v\n%s", err, out)
	}
	return bin
}

// run runs a catalog command to its end.
func run(t *testing.T, bin string, args ...string) {
	t.Helper()
	if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		t.Fatalf("catalog %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// service is the catalog serving in a process of its own.
type service struct {
	addr, admin string
	pid         int
}

func startService(t *testing.T, bin, dir, flags, pgURL, endpoint string) *service {
	t.Helper()
	addr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	admin := "127.0.0.1:" + strconv.Itoa(freePort(t))
	logFile, err := os.Create(filepath.Join(dir, "catalog.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", "-addr", addr, "-admin-addr", admin, "-flags", flags,
		"-pg", pgURL, "-dynamodb", endpoint, "-traces", "")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		logFile.Close()
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			out, _ := os.ReadFile(logFile.Name())
			t.Fatalf("the catalog did not answer /healthz within 60 s; its log:\n%s", tail(out))
		}
		time.Sleep(100 * time.Millisecond)
	}
	return &service{addr: addr, admin: admin, pid: cmd.Process.Pid}
}

func signal(t *testing.T, pid int, sig syscall.Signal) {
	t.Helper()
	if err := syscall.Kill(pid, sig); err != nil {
		t.Fatalf("signal %v to %d: %v", sig, pid, err)
	}
}

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		t.Fatalf("%s=%q: want a positive integer", name, s)
	}
	return n
}

func envDuration(t *testing.T, name string, def time.Duration) time.Duration {
	t.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		t.Fatalf("%s=%q: want a positive duration such as 30s", name, s)
	}
	return d
}

// tail returns the end of a log.
func tail(b []byte) []byte {
	const keep = 4 << 10
	if len(b) > keep {
		return b[len(b)-keep:]
	}
	return b
}
