package postgres

import (
	"context"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// dialGate spaces out connection attempts to a server that refuses them.
// Without it every request that finds no idle connection dials again: a
// reconnect storm that burns the machine's ephemeral ports and, when the
// server's own port lies in their range, can take that port from the
// server as a source port so it cannot restart. After a failed dial the
// next ones fail at once with the same error until the pause is over; the
// pause doubles from min to max while dials keep failing and is gone after
// the first that succeeds.
type dialGate struct {
	dial     pgconn.DialFunc
	min, max time.Duration
	now      func() time.Time

	mu      sync.Mutex
	pause   time.Duration
	until   time.Time
	lastErr error
}

func newDialGate(dial pgconn.DialFunc, minPause, maxPause time.Duration) *dialGate {
	return &dialGate{dial: dial, min: minPause, max: maxPause, now: time.Now}
}

// DialContext is the gate's pgconn.DialFunc.
func (g *dialGate) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	g.mu.Lock()
	if g.now().Before(g.until) {
		err := g.lastErr
		g.mu.Unlock()
		return nil, fmt.Errorf("postgres: not dialing %s during the back-off after a failed dial: %w", addr, err)
	}
	// Hold the gate shut while this dial is in flight, so that
	// concurrent requests do not all dial a server that may be down.
	if g.pause > 0 {
		g.until = g.now().Add(g.pause)
	}
	g.mu.Unlock()

	conn, err := g.dial(ctx, network, addr)

	g.mu.Lock()
	defer g.mu.Unlock()
	if err != nil && ctx.Err() == nil {
		g.pause = min(max(2*g.pause, g.min), g.max)
		g.until = g.now().Add(g.pause)
		g.lastErr = err
		return nil, err
	}
	if err == nil {
		g.pause, g.until, g.lastErr = 0, time.Time{}, nil
	}
	return conn, err
}
