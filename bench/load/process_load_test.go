//go:build loadbench && linux

package load

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// process is a child process of the harness: a service or nginx. On Linux
// the kernel kills it if the harness dies; Stop ends it gracefully.
type process struct {
	name   string
	cmd    *exec.Cmd
	log    string
	exited chan struct{} // closed once the process has exited
	err    error         // Wait's result, set before exited is closed
}

// startProcess starts cmd with its stderr (and stdout, unless the caller
// took it) in a log file under dir, and stops it when the test ends.
func startProcess(t *testing.T, name string, cmd *exec.Cmd, dir string) *process {
	t.Helper()
	logPath := filepath.Join(dir, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = logFile
	if cmd.Stdout == nil {
		cmd.Stdout = logFile
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		t.Fatalf("starting %s: %v", name, err)
	}
	p := &process{name: name, cmd: cmd, log: logPath, exited: make(chan struct{})}
	go func() {
		defer close(p.exited)
		p.err = cmd.Wait()
		logFile.Close()
	}()
	t.Cleanup(func() { p.stop(t, syscall.SIGTERM) })
	return p
}

// running reports whether the process has not exited yet.
func (p *process) running() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// stop sends sig and waits for the process; after 40 s it kills it.
func (p *process) stop(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if !p.running() {
		return
	}
	p.cmd.Process.Signal(sig)
	select {
	case <-p.exited:
		if p.err != nil {
			t.Errorf("%s exited with %v after %v; log %s:\n%s", p.name, p.err, sig, p.log, tail(p.log))
		}
	case <-time.After(40 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
		t.Errorf("%s did not stop within 40s of %v and was killed; log %s", p.name, sig, p.log)
	}
}

// service is a running bench/service process.
type service struct {
	*process
	addr, debug string
}

// startService runs the service binary with args and waits for its
// address line.
func startService(t *testing.T, bin, name, dir string, args ...string) *service {
	t.Helper()
	cmd := exec.Command(bin, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := startProcess(t, name, cmd, dir)
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		io.Copy(io.Discard, stdout) // nothing more is expected; do not block the child
	}()
	select {
	case line, ok := <-lines:
		s := &service{process: p}
		if _, err := fmt.Sscanf(line, "addr=%s debug=%s", &s.addr, &s.debug); !ok || err != nil {
			t.Fatalf("%s printed %q instead of its addresses; log %s:\n%s", name, line, p.log, tail(p.log))
		}
		return s
	case <-time.After(60 * time.Second):
		t.Fatalf("%s did not print its addresses within 60s; log %s:\n%s", name, p.log, tail(p.log))
		return nil
	}
}

// url returns the service's base URL.
func (s *service) url() string { return "http://" + s.addr }

// goroutines reads the service's goroutine count.
func (s *service) goroutines(client *http.Client) (int, error) {
	body, err := getText(client, "http://"+s.debug+"/debug/goroutines")
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(body))
}

// rss reads the service's resident set size from /proc.
func (s *service) rss() (int64, error) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmRSS in /proc/PID/status")
}

// runOnce runs the service binary to completion and returns its stdout.
func runOnce(t *testing.T, bin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(bin), args[0], err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

func getText(client *http.Client, url string) (string, error) {
	resp, err := client.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return string(body), err
}

// tail returns the last lines of a log file.
func tail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-20):], "\n")
}
