package testenv

import (
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
)

// Ports for test servers are picked below the kernel's ephemeral range,
// from which outgoing connections take their source ports: a server that a
// test stops and restarts on a port inside that range can find it taken by
// a client's connection (its own clients redialling, say) and fail to
// start.
const (
	// lowestPort is the least port picked: above the well-known and most
	// registered ones.
	lowestPort = 20000
	// defaultEphemeralStart is Linux's default start of the range, for
	// systems that do not say.
	defaultEphemeralStart = 32768
	// portTries bounds the random picks before falling back to a port the
	// kernel chooses.
	portTries = 100
)

// freePort returns a TCP port that is free on 127.0.0.1 at the moment,
// below the ephemeral range when there is room.
func freePort(t testing.TB) int {
	t.Helper()
	if hi := ephemeralStart(); hi > lowestPort {
		for range portTries {
			port := lowestPort + rand.IntN(hi-lowestPort)
			ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
			if err == nil {
				ln.Close()
				return port
			}
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testenv: find a free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// ephemeralStart returns the first port of the ephemeral range.
func ephemeralStart() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return defaultEphemeralStart
	}
	fields := strings.Fields(string(b))
	if len(fields) == 0 {
		return defaultEphemeralStart
	}
	n, err := strconv.Atoi(fields[0])
	if err != nil {
		return defaultEphemeralStart
	}
	return n
}
