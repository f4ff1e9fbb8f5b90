package load

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
)

// What the service's CPU went to, from a CPU profile of the service under
// load. Each sample goes to the component of the innermost frame that
// belongs to one (so a memory copy inside the comparator is the
// comparator's, and a socket write inside pgx is PostgreSQL's); a stack
// with none of them goes to the server and network, the garbage collector,
// the scheduler or the rest, in that order.

// Components of the service's CPU, in the order of the report.
const (
	CompDynamoDB   = "DynamoDB client (AWS SDK, HTTP client)"
	CompPostgres   = "PostgreSQL client (pgx)"
	CompComparator = "shadowread comparator"
	CompTelemetry  = "telemetry and tracing (OTel)"
	CompMiddleware = "shadowread middleware and flags"
	CompHandlers   = "shop handlers and router"
	CompServer     = "HTTP server and network"
	CompGC         = "Go runtime: garbage collection"
	CompScheduler  = "Go runtime: scheduler"
	CompOther      = "other"
)

// CPUComponents lists the components in the order of the report.
func CPUComponents() []string {
	return []string{CompDynamoDB, CompPostgres, CompComparator, CompTelemetry, CompMiddleware, CompHandlers,
		CompServer, CompGC, CompScheduler, CompOther}
}

// componentRule is a component and the function-name prefixes of its frames.
type componentRule struct {
	name     string
	prefixes []string
}

// specificRules are searched first, from the innermost frame out.
var specificRules = []componentRule{
	{CompDynamoDB, []string{"github.com/aws/", "github.com/shadowread/shadowread/backends/dynamodb", "net/http.(*Transport)", "net/http.(*persistConn)", "net/http.persistConnWriter",
		"net/http.(*Client)", "net/http.send"}},
	{CompPostgres, []string{"github.com/jackc/", "github.com/shadowread/shadowread/backends/postgres"}},
	{CompComparator, []string{"github.com/shadowread/shadowread/comparator"}},
	{CompTelemetry, []string{"github.com/shadowread/shadowread/telemetry", "go.opentelemetry.io/"}},
	{CompMiddleware, []string{"github.com/shadowread/shadowread/middleware", "github.com/shadowread/shadowread/flags",
		"github.com/shadowread/shadowread/backends", "github.com/felixge/httpsnoop", "github.com/open-feature/"}},
	{CompHandlers, []string{"github.com/shadowread/shadowread/bench/internal/shop.", "github.com/go-chi/"}},
}

// genericRules are searched when no specific rule matched, in order.
var genericRules = []componentRule{
	{CompServer, []string{"net/http.", "net.", "internal/poll.", "syscall.", "bufio."}},
	{CompGC, []string{"runtime.gcBgMarkWorker", "runtime.bgsweep", "runtime.bgscavenge", "runtime.gcDrain", "runtime.gcStart",
		"runtime.markroot", "runtime.gcMarkDone", "runtime.gcMarkTermination"}},
	{CompScheduler, []string{"runtime.schedule", "runtime.findRunnable", "runtime.park_m", "runtime.goschedImpl", "runtime.gosched_m",
		"runtime.mcall", "runtime.wakep", "runtime.sysmon", "runtime.notesleep", "runtime.futex", "runtime.goexit0", "runtime.newproc",
		"runtime.ready", "runtime.netpoll"}},
}

// ProfileComponents reads the output of `go tool pprof -traces` of a CPU
// profile and returns the CPU time by component.
func ProfileComponents(r io.Reader) (map[string]time.Duration, error) {
	out := map[string]time.Duration{}
	var value time.Duration
	var frames []string
	flush := func() {
		if len(frames) > 0 {
			out[componentOf(frames)] += value
		}
		frames = frames[:0]
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	inTraces := false
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "-----------+") {
			flush()
			inTraces = true
			continue
		}
		if !inTraces || strings.TrimSpace(line) == "" {
			continue
		}
		// A sample starts with its value in the first column; the frames
		// follow, innermost first, one per line.
		if line[0] != ' ' || strings.TrimSpace(line[:min(len(line), 11)]) != "" {
			fields := strings.Fields(line)
			d, err := time.ParseDuration(fields[0])
			if err != nil || len(fields) < 2 {
				return nil, fmt.Errorf("load: a pprof -traces sample line %q: want a duration and a function", line)
			}
			value = d
			frames = append(frames[:0], fields[1])
			continue
		}
		frames = append(frames, strings.Fields(line)[0])
	}
	flush()
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("load: no samples in the pprof -traces output")
	}
	return out, nil
}

// componentOf returns the component of a stack, innermost frame first.
func componentOf(frames []string) string {
	for _, f := range frames {
		if c, ok := matchRules(specificRules, f); ok {
			return c
		}
	}
	for _, rule := range genericRules {
		for _, f := range frames {
			if c, ok := matchRules([]componentRule{rule}, f); ok {
				return c
			}
		}
	}
	return CompOther
}

func matchRules(rules []componentRule, frame string) (string, bool) {
	for _, r := range rules {
		for _, p := range r.prefixes {
			if strings.HasPrefix(frame, p) {
				return r.name, true
			}
		}
	}
	return "", false
}
