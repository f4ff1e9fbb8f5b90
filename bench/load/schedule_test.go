package load

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

func TestSchedule(t *testing.T) {
	tests := []struct {
		name      string
		reason    string
		rate      float64
		d         time.Duration
		wantCount int
		wantLast  time.Duration // due time of the last request
	}{
		{name: "whole", reason: "500/s for 2 s is 1,000 requests, the last 2 ms before the end", rate: 500, d: 2 * time.Second, wantCount: 1000, wantLast: 1998 * time.Millisecond},
		{name: "fractional rate", reason: "2.5/s for 1 s: due at 0, 0.4 and 0.8 s", rate: 2.5, d: time.Second, wantCount: 3, wantLast: 800 * time.Millisecond},
		{name: "short", reason: "one request is due at the start", rate: 10, d: time.Millisecond, wantCount: 1, wantLast: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewSchedule(tt.rate, tt.d)
			if got := s.Count(); got != tt.wantCount {
				t.Fatalf("Count() = %d, want %d (%s)", got, tt.wantCount, tt.reason)
			}
			if got := s.Due(s.Count() - 1); got != tt.wantLast {
				t.Errorf("Due(last) = %v, want %v (%s)", got, tt.wantLast, tt.reason)
			}
			if s.Due(0) != 0 {
				t.Errorf("Due(0) = %v, want 0", s.Due(0))
			}
		})
	}
}

func TestScheduleIsEvenlySpaced(t *testing.T) {
	s := NewSchedule(333, time.Second)
	for i := 1; i < s.Count(); i++ {
		gap := s.Due(i) - s.Due(i-1)
		if gap < 3003*time.Microsecond-time.Microsecond || gap > 3003*time.Microsecond+time.Microsecond {
			t.Fatalf("gap between requests %d and %d is %v, want about 3.003ms", i-1, i, gap)
		}
	}
}

func TestNewScheduleRejectsBadInput(t *testing.T) {
	tests := []struct {
		name string
		rate float64
		d    time.Duration
	}{
		{name: "zero rate", rate: 0, d: time.Second},
		{name: "negative duration", rate: 1, d: -time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("NewSchedule(%v, %v) did not panic", tt.rate, tt.d)
				}
			}()
			NewSchedule(tt.rate, tt.d)
		})
	}
}

func testMix() Mix {
	return Mix{
		{Name: "a", Weight: 7, New: func(rng *rand.Rand) Request { return Request{Path: fmt.Sprintf("/a/%d", rng.IntN(100))} }},
		{Name: "b", Weight: 2, New: func(rng *rand.Rand) Request { return Request{Path: fmt.Sprintf("/b/%d", rng.IntN(100))} }},
		{Name: "c", Weight: 1, New: func(rng *rand.Rand) Request { return Request{Path: "/c"} }},
		{Name: "never", Weight: 0, New: func(rng *rand.Rand) Request { return Request{Path: "/never"} }},
	}
}

func TestMixShares(t *testing.T) {
	const n = 100_000
	counts := map[string]int{}
	for _, r := range testMix().Requests(42, n) {
		counts[r.Route]++
	}
	for route, want := range map[string]float64{"a": 0.7, "b": 0.2, "c": 0.1, "never": 0} {
		got := float64(counts[route]) / n
		if got < want-0.01 || got > want+0.01 {
			t.Errorf("route %s has %.3f of the requests, want %.2f±0.01", route, got, want)
		}
	}
}

func TestMixIsReproducible(t *testing.T) {
	a, b := testMix().Requests(7, 1000), testMix().Requests(7, 1000)
	other := testMix().Requests(8, 1000)
	same, differ := true, false
	for i := range a {
		same = same && a[i].Path == b[i].Path
		differ = differ || a[i].Path != other[i].Path
	}
	if !same {
		t.Error("the same seed gave different requests: variants would not see the same load")
	}
	if !differ {
		t.Error("another seed gave the same requests")
	}
}
