package backoff_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/shadowread/shadowread/internal/backoff"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestLevelSteps(t *testing.T) {
	tests := []struct {
		name   string
		got    backoff.Level
		want   backoff.Level
		reason string
	}{
		{"deeper", backoff.Level(3).Deeper(), 4, "one step deeper"},
		{"deeper at max", backoff.Level(backoff.MaxLevel).Deeper(), backoff.MaxLevel, "the ladder ends at MaxLevel"},
		{"shallower", backoff.Level(3).Shallower(2), 1, "n steps shallower"},
		{"shallower past 0", backoff.Level(1).Shallower(5), 0, "the ladder starts at 0"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %d, want %d: %s", tt.name, tt.got, tt.want, tt.reason)
		}
	}
}

func TestLevelShare(t *testing.T) {
	for l, want := range map[backoff.Level]float64{0: 1, 1: 0.5, backoff.MaxLevel: 1.0 / 1024} {
		if got := l.Share(); got != want {
			t.Errorf("Level(%d).Share() = %v, want %v", l, got, want)
		}
	}
}

func TestLevelAdmit(t *testing.T) {
	const n = 1 << 16
	for _, l := range []backoff.Level{0, 1, 4} {
		admitted := 0
		for range n {
			if l.Admit() {
				admitted++
			}
		}
		// Within 20% of n/2^l: far beyond chance for these counts.
		want := float64(n) * l.Share()
		if float64(admitted) < 0.8*want || float64(admitted) > 1.2*want {
			t.Errorf("Level(%d) admitted %d of %d, want about %.0f", l, admitted, n, want)
		}
	}
}
