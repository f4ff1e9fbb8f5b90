package track_test

import (
	"testing"
	"time"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/telemetry/internal/track"
	"github.com/shadowread/shadowread/telemetry/internal/verdict"
)

func newTracker(now *time.Time, maxRoutes int) *track.Tracker {
	return track.New(track.Config{MaxRoutes: maxRoutes, MaxSignatures: 5, MaxFields: 5,
		Window: time.Hour, LogInterval: time.Minute, Now: func() time.Time { return *now }}, nil)
}

// TestRoutesBounded: routes beyond the limit, and events without a route,
// share the overflow route.
func TestRoutesBounded(t *testing.T) {
	now := time.Now()
	tr := newTracker(&now, 1)
	if got := tr.Route("/a").Name; got != "/a" {
		t.Errorf("first route = %q, want /a", got)
	}
	for _, name := range []string{"/b", ""} {
		if got := tr.Route(name).Name; got != backends.OverflowRoute {
			t.Errorf("route %q = %q, want the overflow route", name, got)
		}
	}
}

// TestMark: a mark resets the since-mark counts, and a second mark within
// the minimum interval keeps the first.
func TestMark(t *testing.T) {
	now := time.Now()
	tr := newTracker(&now, 10)
	r := tr.Route("/a")
	d := track.Direction{Primary: backends.Postgres, Shadow: backends.DynamoDB}
	match := track.Observation{Outcome: "match", Verdict: verdict.Verdict{Compared: true, Sample: true}}
	tr.Observe(r, d, match)
	first, isNew := tr.SetMark(10 * time.Second)
	if !isNew || !first.Equal(now) {
		t.Fatalf("first mark = %v, %v; want now, new", first, isNew)
	}
	tr.Observe(r, d, match)
	now = now.Add(time.Second)
	if at, isNew := tr.SetMark(10 * time.Second); isNew || !at.Equal(first) {
		t.Errorf("mark a second later = %v, %v; want the first kept", at, isNew)
	}
	s := tr.Snapshots()[0]
	if s.Total.Samples != 2 || s.SinceMark.Samples != 1 {
		t.Errorf("samples: %d in total, %d since the mark; want 2 and 1", s.Total.Samples, s.SinceMark.Samples)
	}
}
