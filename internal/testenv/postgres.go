package testenv

import (
	"context"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5"
)

// Postgres is a PostgreSQL cluster of one test's own, for fault tests that
// stop and restart the PostgreSQL side. Start and Stop must be called from
// the test's goroutine.
type Postgres struct {
	t    testing.TB
	bin  string
	dir  string              // holds data/ and server.log
	cred *syscall.Credential // the postgres user when running as root, else nil
	port int
	proc *process // nil while stopped
}

// StartPostgres creates a throwaway cluster (initdb), starts it on a free
// loopback port and stops it when the test ends. The binaries come from
// [EnvPostgresBin] or the newest /usr/lib/postgresql/*/bin. PostgreSQL
// refuses to run as root, so under root the cluster runs as the postgres user.
func StartPostgres(t testing.TB) *Postgres {
	t.Helper()
	p := &Postgres{t: t, bin: postgresBin(t), cred: postgresCredential(t), port: freePort(t)}

	// Not t.TempDir: its parent directory is closed to other users.
	dir, err := os.MkdirTemp("", "shadowread-pg-")
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if p.cred != nil {
		if err := os.Chown(dir, int(p.cred.Uid), int(p.cred.Gid)); err != nil {
			t.Fatalf("testenv: %v", err)
		}
	}
	p.dir = dir

	initdb := exec.Command(filepath.Join(p.bin, "initdb"), "-D", p.dataDir(), "-U", "postgres",
		"--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions")
	initdb.SysProcAttr = childProcAttr(p.cred)
	if out, err := initdb.CombinedOutput(); err != nil {
		t.Fatalf("testenv: initdb: %v\n%s", err, out)
	}

	t.Cleanup(p.Stop)
	p.Start()
	return p
}

// URL returns the URL of the cluster's postgres database, the same across
// restarts.
func (p *Postgres) URL() string {
	return "postgres://postgres@127.0.0.1:" + strconv.Itoa(p.port) + "/postgres?sslmode=disable"
}

// Start starts the stopped cluster again on the same port and with the same
// data, and returns once it accepts queries.
func (p *Postgres) Start() {
	p.t.Helper()
	if p.proc != nil {
		p.t.Fatalf("testenv: Postgres.Start: the cluster on port %d is already running; call Stop first", p.port)
	}
	// A throwaway cluster: loopback TCP only, no durability.
	cmd := exec.Command(filepath.Join(p.bin, "postgres"), "-D", p.dataDir(), "-p", strconv.Itoa(p.port),
		"-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	proc, err := startProcess(cmd, filepath.Join(p.dir, "server.log"), p.cred)
	if err != nil {
		p.t.Fatalf("testenv: start postgres: %v", err)
	}
	p.proc = proc
	url := p.URL()
	proc.waitReady(p.t, "PostgreSQL on port "+strconv.Itoa(p.port), func(ctx context.Context) error {
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			return err
		}
		return conn.Close(ctx)
	})
}

// Stop shuts the cluster down (fast shutdown: open connections are closed)
// and waits for it. Stopping a stopped cluster does nothing.
func (p *Postgres) Stop() {
	if p.proc == nil {
		return
	}
	p.proc.stop(syscall.SIGINT)
	p.proc = nil
}

func (p *Postgres) dataDir() string { return filepath.Join(p.dir, "data") }

// postgresBin returns the directory of initdb and postgres.
func postgresBin(t testing.TB) string {
	t.Helper()
	if bin := os.Getenv(EnvPostgresBin); bin != "" {
		return bin
	}
	// Debian installs each major version in /usr/lib/postgresql/MAJOR/bin.
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/postgres")
	if len(found) > 0 {
		newest := slices.MaxFunc(found, func(a, b string) int { return majorVersion(a) - majorVersion(b) })
		return filepath.Dir(newest)
	}
	if path, err := exec.LookPath("postgres"); err == nil {
		if real, err := filepath.EvalSymlinks(path); err == nil {
			return filepath.Dir(real)
		}
	}
	missing(t, "PostgreSQL's binaries were not found in /usr/lib/postgresql/*/bin or on PATH: "+
		"run the tests with `make test`, which installs them, or set %s", EnvPostgresBin)
	return ""
}

// majorVersion returns MAJOR of /usr/lib/postgresql/MAJOR/bin/postgres, or 0.
func majorVersion(postgresPath string) int {
	major := filepath.Base(filepath.Dir(filepath.Dir(postgresPath)))
	n, _ := strconv.Atoi(strings.SplitN(major, ".", 2)[0])
	return n
}

// postgresCredential returns the postgres user to run the cluster as when
// this process is root, and nil otherwise.
func postgresCredential(t testing.TB) *syscall.Credential {
	t.Helper()
	if os.Geteuid() != 0 {
		return nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		missing(t, "PostgreSQL refuses to run as root, and there is no postgres user to run it as (%v); "+
			"install Debian's postgresql package, which creates it, or run the tests as another user", err)
	}
	uid, uidErr := strconv.ParseUint(u.Uid, 10, 32)
	gid, gidErr := strconv.ParseUint(u.Gid, 10, 32)
	if uidErr != nil || gidErr != nil {
		t.Fatalf("testenv: the postgres user has a non-numeric uid %q or gid %q", u.Uid, u.Gid)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
}
