//go:build loadbench && linux

package load

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// clockTick is Linux's USER_HZ, the unit of CPU times in /proc.
const clockTick = 10 * time.Millisecond

// cpuMeter attributes the machine's CPU time to groups of processes, from
// /proc: each server's group is its processes and all their descendants;
// the harness is its own process alone (the services are its children).
type cpuMeter struct {
	postgres, dynalite []int // root pids
	harness            int
}

// cpuSnapshot is the CPU used so far by each group and by the machine.
type cpuSnapshot struct {
	at                                   time.Time
	service, postgres, dynalite, harness time.Duration
	busy, steal                          time.Duration // the whole machine
	// run-queue waits of the groups' processes, by pid: a process that
	// exits takes its waits with it, so deltas are taken per process
	serviceWait, postgresWait, harnessWait map[int]time.Duration
}

// newCPUMeter finds the PostgreSQL and dynalite servers by their ports.
func newCPUMeter(t *testing.T, pgURL, ddbEndpoint string) *cpuMeter {
	t.Helper()
	pgPort, ddbPort := urlPort(t, pgURL), urlPort(t, ddbEndpoint)
	m := &cpuMeter{harness: os.Getpid()}
	procs := readProcs()
	for pid, p := range procs {
		args := p.cmdline()
		switch {
		case filepath.Base(firstArg(args)) == "postgres" && hasFlagValue(args, "-p", pgPort):
			m.postgres = append(m.postgres, pid)
		case slices.ContainsFunc(args, func(a string) bool { return strings.Contains(a, "dynalite") }) &&
			hasFlagValue(args, "--port", ddbPort):
			m.dynalite = append(m.dynalite, pid)
		}
	}
	if len(m.postgres) == 0 || len(m.dynalite) == 0 {
		t.Fatalf("could not find the PostgreSQL (port %s) and dynalite (port %s) processes in /proc to measure their CPU", pgPort, ddbPort)
	}
	return m
}

// snapshot reads the CPU used so far; service lists the variant's processes.
func (m *cpuMeter) snapshot(t *testing.T, service []int) cpuSnapshot {
	t.Helper()
	procs := readProcs()
	s := cpuSnapshot{
		at:       time.Now(),
		service:  procs.treeCPU(service),
		postgres: procs.treeCPU(m.postgres),
		dynalite: procs.treeCPU(m.dynalite),
		harness:  procs[m.harness].cpu,

		serviceWait:  procs.treeWait(service),
		postgresWait: procs.treeWait(m.postgres),
		harnessWait:  map[int]time.Duration{m.harness: runQueueWait(m.harness)},
	}
	var err error
	if s.busy, s.steal, err = machineCPU(); err != nil {
		t.Fatal(err)
	}
	return s
}

// since returns the CPU used between before and s.
func (s cpuSnapshot) since(before cpuSnapshot) CPU {
	c := CPU{
		Service:  s.service - before.service,
		Postgres: s.postgres - before.postgres,
		Dynalite: s.dynalite - before.dynalite,
		Harness:  s.harness - before.harness,
		Steal:    s.steal - before.steal,
		Elapsed:  s.at.Sub(before.at),

		ServiceWait:  waitSince(s.serviceWait, before.serviceWait),
		PostgresWait: waitSince(s.postgresWait, before.postgresWait),
		HarnessWait:  waitSince(s.harnessWait, before.harnessWait),
	}
	c.Others = max(0, (s.busy-before.busy)-(c.Service+c.Postgres+c.Dynalite+c.Harness))
	return c
}

// proc is one process of /proc.
type proc struct {
	pid, ppid int
	cpu       time.Duration // its own and its waited-for children's
}

func (p proc) cmdline() []string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", p.pid))
	if err != nil {
		return nil
	}
	return strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
}

type procTable map[int]proc

// readProcs reads every process's parent and CPU time. Processes that exit
// while it reads are left out.
func readProcs() procTable {
	entries, _ := os.ReadDir("/proc")
	procs := make(procTable, len(entries))
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// The command name, in parentheses, may hold spaces: the fields
		// that follow it start at field 3 (state).
		i := strings.LastIndexByte(string(b), ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) < 15 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		var ticks int64
		for _, k := range []int{11, 12, 13, 14} { // utime, stime, cutime, cstime
			n, _ := strconv.ParseInt(f[k], 10, 64)
			ticks += n
		}
		procs[pid] = proc{pid: pid, ppid: ppid, cpu: time.Duration(ticks) * clockTick}
	}
	return procs
}

// treeCPU sums the CPU of roots and all their descendants.
func (t procTable) treeCPU(roots []int) time.Duration {
	var total time.Duration
	for _, pid := range t.tree(roots) {
		total += t[pid].cpu
	}
	return total
}

// treeWait returns the run-queue waits of roots and all their descendants.
func (t procTable) treeWait(roots []int) map[int]time.Duration {
	waits := map[int]time.Duration{}
	for _, pid := range t.tree(roots) {
		waits[pid] = runQueueWait(pid)
	}
	return waits
}

// waitSince sums the waits since before of the processes alive at both
// readings and the whole waits of processes started in between.
func waitSince(now, before map[int]time.Duration) time.Duration {
	var total time.Duration
	for pid, w := range now {
		total += max(0, w-before[pid])
	}
	return total
}

// tree returns roots and all their descendants.
func (t procTable) tree(roots []int) []int {
	children := map[int][]int{}
	for pid, p := range t {
		children[p.ppid] = append(children[p.ppid], pid)
	}
	var out []int
	seen := map[int]bool{}
	stack := slices.Clone(roots)
	for len(stack) > 0 {
		pid := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[pid] {
			continue
		}
		seen[pid] = true
		out = append(out, pid)
		stack = append(stack, children[pid]...)
	}
	return out
}

// runQueueWait returns how long the threads of pid have waited for a CPU
// while runnable: the second field of each thread's schedstat, in ns.
func runQueueWait(pid int) time.Duration {
	tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	var total time.Duration
	for _, task := range tasks {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/schedstat", pid, task.Name()))
		if err != nil {
			continue
		}
		if f := strings.Fields(string(b)); len(f) >= 2 {
			ns, _ := strconv.ParseInt(f[1], 10, 64)
			total += time.Duration(ns)
		}
	}
	return total
}

// machineCPU returns the busy and stolen time of all CPUs from /proc/stat.
func machineCPU() (busy, steal time.Duration, err error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0, 0, fmt.Errorf("unexpected /proc/stat: %q", line)
	}
	tick := func(i int) time.Duration {
		n, _ := strconv.ParseInt(f[i], 10, 64)
		return time.Duration(n) * clockTick
	}
	// user nice system idle iowait irq softirq steal
	return tick(1) + tick(2) + tick(3) + tick(6) + tick(7), tick(8), nil
}

func urlPort(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil || u.Port() == "" {
		t.Fatalf("%q is not a URL with a port", raw)
	}
	return u.Port()
}

func firstArg(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return args[0]
}

// hasFlagValue reports whether args hold flag followed by value.
func hasFlagValue(args []string, flag, value string) bool {
	for i := 0; i+1 < len(args); i++ {
		if args[i] == flag && args[i+1] == value {
			return true
		}
	}
	return false
}
