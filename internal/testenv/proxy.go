package testenv

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// DelayProxy is a TCP proxy on a loopback port that forwards to a target
// server and holds each chunk the client sends for a delay before passing it
// on. A request/response round trip through it takes at least that delay
// longer, so a test can make one store slower than the other.
//
// Every goroutine of the proxy belongs to it: Close stops them all and waits.
type DelayProxy struct {
	target string
	ln     net.Listener
	delay  atomic.Int64 // a time.Duration

	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu    sync.Mutex
	conns map[net.Conn]struct{} // open client and target connections; nil once closed
}

// NewDelayProxy starts a proxy to target (host:port) with the given delay and
// closes it when the test ends.
func NewDelayProxy(t testing.TB, target string, delay time.Duration) *DelayProxy {
	t.Helper()
	if delay < 0 {
		t.Fatalf("testenv: NewDelayProxy: negative delay %v; use 0 for none", delay)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testenv: NewDelayProxy: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &DelayProxy{target: target, ln: ln, ctx: ctx, cancel: cancel, conns: make(map[net.Conn]struct{})}
	p.delay.Store(int64(delay))
	p.wg.Go(p.acceptLoop)
	t.Cleanup(p.Close)
	return p
}

// Addr returns the proxy's host:port; clients connect here instead of to the
// target.
func (p *DelayProxy) Addr() string { return p.ln.Addr().String() }

// SetDelay changes the delay for every chunk forwarded from now on, also on
// open connections. It is safe to call from any goroutine.
func (p *DelayProxy) SetDelay(d time.Duration) {
	if d < 0 {
		panic("testenv: DelayProxy.SetDelay: negative delay; use 0 for none")
	}
	p.delay.Store(int64(d))
}

// Close stops accepting, closes every open connection and waits for all of
// the proxy's goroutines to return. Closing twice does nothing.
func (p *DelayProxy) Close() {
	p.cancel()
	p.ln.Close()
	p.mu.Lock()
	conns := p.conns
	p.conns = nil
	p.mu.Unlock()
	for c := range conns {
		c.Close()
	}
	p.wg.Wait()
}

func (p *DelayProxy) acceptLoop() {
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return // closed; Accept fails for no other reason on loopback that retrying would fix
		}
		if !p.track(client) {
			return
		}
		p.wg.Go(func() { p.serve(client) })
	}
}

// track records c so Close can close it, or closes it and reports false if
// the proxy is already closed.
func (p *DelayProxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conns == nil {
		c.Close()
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *DelayProxy) forget(c net.Conn) {
	c.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.conns, c) // a no-op on the nil map after Close
}

// serve connects client to the target and copies both ways until both
// directions are done. A target that cannot be reached looks like a server
// that closed the connection.
func (p *DelayProxy) serve(client net.Conn) {
	defer p.forget(client)
	var dialer net.Dialer
	upstream, err := dialer.DialContext(p.ctx, "tcp", p.target)
	if err != nil || !p.track(upstream) {
		return
	}
	defer p.forget(upstream)

	responses := make(chan struct{})
	p.wg.Go(func() {
		defer close(responses)
		p.copy(client, upstream, false)
	})
	p.copy(upstream, client, true)
	<-responses
}

// copy forwards src to dst, after the delay for each chunk if delayed. At the
// end of src it half-closes dst, so the peer sees the end too and can still
// answer; on an error it closes both, which ends the other direction as well.
func (p *DelayProxy) copy(dst, src net.Conn, delayed bool) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if delayed && !p.sleep() {
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				src.Close()
				dst.Close()
				return
			}
		}
		if errors.Is(err, io.EOF) {
			if tcp, ok := dst.(*net.TCPConn); ok {
				tcp.CloseWrite()
			}
			return
		}
		if err != nil {
			src.Close()
			dst.Close()
			return
		}
	}
}

// sleep waits for the current delay and reports false if the proxy was
// closed meanwhile.
func (p *DelayProxy) sleep() bool {
	d := time.Duration(p.delay.Load())
	if d == 0 {
		return p.ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-p.ctx.Done():
		return false
	}
}
