package catalogtest

import (
	"bufio"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// Stall freezes the server process that listens on the endpoint's port with
// SIGSTOP, as a store that hangs: connections stay open and nothing
// answers. The process is resumed (SIGCONT) when the returned function is
// called, and at the latest when the test ends.
func Stall(t *testing.T, endpoint string) (resume func()) {
	t.Helper()
	u, err := url.Parse(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	port, err := strconv.Atoi(u.Port())
	if err != nil {
		t.Fatal(err)
	}
	pid := listenerPID(t, port)
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatalf("SIGSTOP %d: %v", pid, err)
	}
	resumed := false
	resume = func() {
		if !resumed {
			resumed = true
			_ = syscall.Kill(pid, syscall.SIGCONT)
		}
	}
	t.Cleanup(resume)
	return resume
}

// listenerPID returns the process that listens on the loopback TCP port,
// from /proc: the socket's inode in /proc/net/tcp, then the process that
// holds a descriptor of it.
func listenerPID(t *testing.T, port int) int {
	t.Helper()
	inode := ""
	f, err := os.Open("/proc/net/tcp")
	if err != nil {
		t.Fatalf("no /proc/net/tcp to find the server's process (the stall tests need Linux's /proc): %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	want := fmt.Sprintf(":%04X", port)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		// local_address, st (0A: LISTEN), ..., inode
		if len(fields) > 9 && strings.HasSuffix(fields[1], want) && fields[3] == "0A" {
			inode = fields[9]
			break
		}
	}
	if inode == "" {
		t.Fatalf("no process listens on port %d", port)
	}
	target := "socket:[" + inode + "]"
	fds, _ := filepath.Glob("/proc/[0-9]*/fd/*")
	for _, fd := range fds {
		if link, err := os.Readlink(fd); err == nil && link == target {
			pid, _ := strconv.Atoi(strings.Split(fd, "/")[2])
			return pid
		}
	}
	t.Fatalf("no process holds the socket of port %d", port)
	return 0
}
