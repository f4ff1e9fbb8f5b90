package testenv

import (
	"net"
	"strconv"
	"testing"
)

// TestFreePortIsBelowTheEphemeralRange: the port is free and outside the
// range clients take their source ports from.
func TestFreePortIsBelowTheEphemeralRange(t *testing.T) {
	hi := ephemeralStart()
	if hi <= lowestPort {
		t.Fatalf("the ephemeral range starts at %d, at or below the lowest test port %d: test servers cannot stay out of it", hi, lowestPort)
	}
	for range 20 {
		port := freePort(t)
		if port < lowestPort || port >= hi {
			t.Fatalf("port %d, want one in [%d, %d)", port, lowestPort, hi)
		}
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			t.Fatalf("port %d is not free: %v", port, err)
		}
		ln.Close()
	}
}
