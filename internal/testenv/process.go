package testenv

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

const (
	// readyTimeout bounds the wait for a server to accept connections. The
	// servers are ready in well under a second; the bound is for a loaded
	// machine, and a server that never comes up fails the test with its log.
	readyTimeout = 30 * time.Second
	// stopTimeout bounds a graceful stop before the process is killed.
	stopTimeout = 30 * time.Second
	// pollInterval is the pause between readiness probes.
	pollInterval = 20 * time.Millisecond
)

// process is one run of a server process, a child of the test binary.
type process struct {
	cmd     *exec.Cmd
	logPath string
	exited  chan struct{} // closed once the process has exited and been reaped
}

// startProcess starts cmd with its output appended to logPath. One goroutine
// per process reaps it; it ends when the process exits, which stop ensures.
func startProcess(cmd *exec.Cmd, logPath string, cred *syscall.Credential) (*process, error) {
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	// The child writes to its own copy of the file descriptor, so the parent
	// closes its copy right away and exec needs no goroutines to copy output.
	defer log.Close()
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = childProcAttr(cred)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &process{cmd: cmd, logPath: logPath, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait() // the exit status of a stopped server says nothing useful
		close(p.exited)
	}()
	return p, nil
}

// stop sends sig, waits for the process to exit and kills it if it has not
// exited within stopTimeout.
func (p *process) stop(sig os.Signal) {
	if err := p.cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		_ = p.cmd.Process.Kill()
	}
	select {
	case <-p.exited:
		return
	case <-time.After(stopTimeout):
	}
	_ = p.cmd.Process.Kill()
	<-p.exited
}

// waitReady polls probe until it succeeds. It fails the test, with the
// server's log, if the process exits first or readyTimeout passes.
func (p *process) waitReady(t testing.TB, what string, probe func(context.Context) error) {
	t.Helper()
	deadline := time.Now().Add(readyTimeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := probe(ctx)
		cancel()
		if err == nil {
			return
		}
		select {
		case <-p.exited:
			t.Fatalf("testenv: %s exited before it was ready: %v\n%s", what, p.cmd.ProcessState, p.logTail())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("testenv: %s not ready after %v: %v\n%s", what, readyTimeout, err, p.logTail())
		}
		time.Sleep(pollInterval)
	}
}

// logTail returns the end of the process's log, for failure messages.
func (p *process) logTail() string {
	const maxTail = 4 << 10
	b, err := os.ReadFile(p.logPath)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	if len(b) > maxTail {
		b = b[len(b)-maxTail:]
	}
	return fmt.Sprintf("--- %s ---\n%s", p.logPath, b)
}
