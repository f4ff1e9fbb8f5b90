package postgres

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"
)

// TestDialGate drives the back-off with a fake clock and a fake dialer.
func TestDialGate(t *testing.T) {
	refused := errors.New("connection refused")
	type step struct {
		at       time.Duration // since the start
		serverUp bool
		wantDial bool // the real dialer is called
		wantErr  bool
		reason   string
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"down, then up", []step{
			{0, false, true, true, "the first attempt dials"},
			{50 * time.Millisecond, false, false, true, "within the first pause (100ms) no dial"},
			{100 * time.Millisecond, false, true, true, "after it, one dial; the pause doubles to 200ms"},
			{250 * time.Millisecond, false, false, true, "within the doubled pause no dial"},
			{300 * time.Millisecond, true, true, false, "after it the server is back and the dial succeeds"},
			{301 * time.Millisecond, true, true, false, "a success clears the pause"},
		}},
		{"the pause stops growing", []step{
			{0, false, true, true, "dial"},
			{100 * time.Millisecond, false, true, true, "pause 200ms"},
			{300 * time.Millisecond, false, true, true, "pause 400ms, the maximum"},
			{700 * time.Millisecond, false, true, true, "pause stays 400ms"},
			{1000 * time.Millisecond, false, false, true, "still within it"},
			{1100 * time.Millisecond, false, true, true, "and over"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Unix(0, 0)
			now := start
			up, dials := false, 0
			g := newDialGate(func(context.Context, string, string) (net.Conn, error) {
				dials++
				if !up {
					return nil, refused
				}
				c, _ := net.Pipe()
				return c, nil
			}, 100*time.Millisecond, 400*time.Millisecond)
			g.now = func() time.Time { return now }
			for i, s := range tt.steps {
				now, up = start.Add(s.at), s.serverUp
				before := dials
				conn, err := g.DialContext(context.Background(), "tcp", "db:5432")
				if conn != nil {
					conn.Close()
				}
				if (dials > before) != s.wantDial || (err != nil) != s.wantErr {
					t.Errorf("step %d at %v: dialed %v, err %v; want dialed %v, error %v (%s)",
						i, s.at, dials > before, err, s.wantDial, s.wantErr, s.reason)
				}
				if err != nil && !errors.Is(err, refused) {
					t.Errorf("step %d: error %v does not wrap the last dial's error", i, err)
				}
			}
		})
	}
}
