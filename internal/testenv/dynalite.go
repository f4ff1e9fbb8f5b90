package testenv

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
)

// Dynalite is a dynalite server process of one test's own, for fault tests
// that stop and restart the DynamoDB side. Its tables live in a directory of
// the test, so they survive a restart. Start and Stop must be called from the
// test's goroutine.
type Dynalite struct {
	t    testing.TB
	node string
	cli  string
	dir  string
	port int
	proc *process // nil while stopped
}

// StartDynalite starts a dynalite server on a free loopback port and stops it
// when the test ends. It runs scripts/dynalite.js from [EnvDynaliteCLI], or
// from the node_modules of the repository around the working directory.
func StartDynalite(t testing.TB) *Dynalite {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		missing(t, "node, which runs dynalite, was not found: %v; install Node.js", err)
	}
	d := &Dynalite{t: t, node: node, cli: dynaliteCLI(t), dir: t.TempDir(), port: freePort(t)}
	t.Cleanup(d.Stop)
	d.Start()
	return d
}

// Endpoint returns the server's http:// endpoint, the same across restarts.
func (d *Dynalite) Endpoint() string {
	return "http://127.0.0.1:" + strconv.Itoa(d.port)
}

// Start starts the stopped server again on the same port and with the same
// tables, and returns once it accepts connections.
func (d *Dynalite) Start() {
	d.t.Helper()
	if d.proc != nil {
		d.t.Fatalf("testenv: Dynalite.Start: dynalite on %s is already running; call Stop first", d.Endpoint())
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(d.port))
	cmd := exec.Command(d.node, d.cli, "--host", "127.0.0.1", "--port", strconv.Itoa(d.port),
		"--path", filepath.Join(d.dir, "data"),
		"--createTableMs", "50", "--deleteTableMs", "50", "--updateTableMs", "50")
	proc, err := startProcess(cmd, filepath.Join(d.dir, "dynalite.log"), nil)
	if err != nil {
		d.t.Fatalf("testenv: start dynalite: %v", err)
	}
	d.proc = proc
	proc.waitReady(d.t, "dynalite on "+addr, func(ctx context.Context) error {
		var dialer net.Dialer
		conn, err := dialer.DialContext(ctx, "tcp", addr)
		if err != nil {
			return err
		}
		return conn.Close()
	})
}

// Stop kills the server, as a crash would, and waits for it to exit.
// Stopping a stopped server does nothing.
func (d *Dynalite) Stop() {
	if d.proc == nil {
		return
	}
	d.proc.stop(syscall.SIGKILL)
	d.proc = nil
}

// dynaliteCLI returns the path of the repository's dynalite launcher,
// scripts/dynalite.js, which keeps dynalite up when a client hangs up
// mid-request (dynalite's own cli.js exits then).
func dynaliteCLI(t testing.TB) string {
	t.Helper()
	if cli := os.Getenv(EnvDynaliteCLI); cli != "" {
		return cli
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		cli := filepath.Join(dir, "scripts", "dynalite.js")
		_, err := os.Stat(filepath.Join(dir, "node_modules", "dynalite", "cli.js"))
		if err == nil {
			return cli
		} else if !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("testenv: %v", err)
		}
		if filepath.Dir(dir) == dir {
			break
		}
	}
	missing(t, "dynalite was not found in a node_modules above %s: run `make tools` (npm ci) or set %s", wd, EnvDynaliteCLI)
	return ""
}
