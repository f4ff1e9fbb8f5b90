package testenv_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/shadowread/shadowread/internal/testenv"
)

// lineServer answers each line it reads with "echo: <line>", and after the
// client half-closes with "bye after N lines". It is closed when the test ends.
func lineServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Go(func() {
				defer c.Close()
				lines := 0
				scanner := bufio.NewScanner(c)
				for scanner.Scan() {
					lines++
					fmt.Fprintf(c, "echo: %s\n", scanner.Text())
				}
				fmt.Fprintf(c, "bye after %d lines\n", lines)
			})
		}
	})
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}

func dial(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return c, bufio.NewReader(c)
}

// roundTrip sends one line and returns the answer and how long it took.
func roundTrip(t *testing.T, c net.Conn, r *bufio.Reader, line string) (string, time.Duration) {
	t.Helper()
	start := time.Now()
	if _, err := fmt.Fprintf(c, "%s\n", line); err != nil {
		t.Fatalf("write: %v", err)
	}
	answer, err := r.ReadString('\n')
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return answer, time.Since(start)
}

func TestDelayProxyForwardsBothWays(t *testing.T) {
	p := testenv.NewDelayProxy(t, lineServer(t), 0)
	c, r := dial(t, p.Addr())
	for _, line := range []string{"one", "two"} {
		if got, _ := roundTrip(t, c, r, line); got != "echo: "+line+"\n" {
			t.Errorf("answer to %q = %q", line, got)
		}
	}
	// A half-close reaches the server, and its last answer still comes back.
	if err := c.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	rest, err := io.ReadAll(r)
	if err != nil || string(rest) != "bye after 2 lines\n" {
		t.Errorf("after half-close read %q, %v; want the server's goodbye", rest, err)
	}
}

// The delay is checked as a lower bound only: a busy machine makes a round
// trip slower, never faster, so the check cannot flake.
func TestDelayProxyDelaysRoundTrips(t *testing.T) {
	const first, second = 30 * time.Millisecond, 80 * time.Millisecond
	p := testenv.NewDelayProxy(t, lineServer(t), first)
	c, r := dial(t, p.Addr())
	if _, took := roundTrip(t, c, r, "slow"); took < first {
		t.Errorf("round trip took %v, want at least the delay %v", took, first)
	}
	p.SetDelay(second)
	if _, took := roundTrip(t, c, r, "slower"); took < second {
		t.Errorf("round trip after SetDelay(%v) on an open connection took %v, want at least %v", second, took, second)
	}
}

func TestDelayProxyCloseEndsOpenConnections(t *testing.T) {
	p := testenv.NewDelayProxy(t, lineServer(t), time.Hour)
	c, r := dial(t, p.Addr())
	if _, err := fmt.Fprintln(c, "held for an hour"); err != nil {
		t.Fatal(err)
	}
	// Close must interrupt the delay rather than wait it out; goleak in
	// TestMain checks that every goroutine of the proxy has returned.
	p.Close()
	if _, err := r.ReadString('\n'); err == nil {
		t.Error("read an answer through a closed proxy")
	}
	if _, err := net.Dial("tcp", p.Addr()); err == nil {
		t.Error("a closed proxy still accepts connections")
	}
	p.Close() // closing twice does nothing
}

func TestDelayProxyUnreachableTarget(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	target := ln.Addr().String()
	ln.Close() // nothing listens there now

	p := testenv.NewDelayProxy(t, target, 0)
	// Nothing is written first: a socket closed with unread input is reset,
	// and the point is the plain hang-up.
	_, r := dial(t, p.Addr())
	if _, err := r.ReadString('\n'); !errors.Is(err, io.EOF) {
		t.Errorf("read through a proxy to a dead target: err = %v, want io.EOF, as from a server that hung up", err)
	}
}

func TestDelayProxyCarriesPostgres(t *testing.T) {
	u, err := url.Parse(testenv.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	p := testenv.NewDelayProxy(t, u.Host, time.Millisecond)
	u.Host = p.Addr()
	var one int
	if err := connect(t, u.String()).QueryRow(t.Context(), "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Errorf("SELECT 1 through the proxy = %d, %v", one, err)
	}
}
