package flags

import (
	"math"
	"testing"

	"github.com/open-feature/go-sdk/openfeature"
	"github.com/open-feature/go-sdk/openfeature/memprovider"

	"github.com/shadowread/shadowread/backends"
)

// shareFlags is shadowFlags with the primary share set.
func shareFlags(enabled bool, sample float64, primary string, share float64) map[string]memprovider.InMemoryFlag {
	m := shadowFlags(enabled, sample, primary)
	m[KeyPrimaryPercent] = static(share)
	return m
}

// onDynamoDB returns the users of 0..n-1 whose primary f says is DynamoDB.
func onDynamoDB(t *testing.T, f *Flags, n int) map[int]bool {
	t.Helper()
	moved := make(map[int]bool)
	for i := range n {
		d := f.Decide(request("GET", userID(i)), "/products/{id}")
		if d.Primary == backends.DynamoDB {
			moved[i] = true
		}
	}
	return moved
}

func TestPrimaryShare(t *testing.T) {
	const users = 10_000
	tests := []struct {
		name      string
		flags     map[string]memprovider.InMemoryFlag
		wantShare float64 // percent of users on DynamoDB
		wantErrs  []string
		reason    string
	}{
		{"no share flag", shadowFlags(true, 10, "postgres"), 0, nil,
			"a service that never defines the share keeps PostgreSQL, and nothing is reported"},
		{"share 0", shareFlags(true, 10, "postgres", 0), 0, nil, "no user moves"},
		{"share 25", shareFlags(true, 10, "postgres", 25), 25, nil, "a quarter of the users move"},
		{"share 25, shadowing off", shareFlags(false, 0, "postgres", 25), 25, nil,
			"the share holds whether or not the dark reads run"},
		{"share 100", shareFlags(true, 10, "postgres", 100), 100, nil, "every user moves"},
		{"primary dynamodb, share 0", shareFlags(true, 10, "dynamodb", 0), 100, nil,
			"the primary flag at dynamodb puts every user on DynamoDB whatever the share"},
		{"primary dynamodb, share 30", shareFlags(true, 10, "dynamodb", 30), 100, nil,
			"the share only moves users away from PostgreSQL"},
		{"share above 100", shareFlags(true, 10, "postgres", 250), 100, []string{KeyPrimaryPercent},
			"clamped to 100 and reported"},
		{"share NaN", shareFlags(true, 10, "postgres", math.NaN()), 0, []string{KeyPrimaryPercent},
			"NaN moves nobody and is reported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, _ := memClient(t, tt.flags)
			f, log, _ := newTestFlags(t, client, WithTargetingKey(HeaderKey("X-User-Id")))
			got := 100 * float64(len(onDynamoDB(t, f, users))) / users
			// The standard deviation at 25% of 10,000 is 0.43 points.
			if math.Abs(got-tt.wantShare) > 2 {
				t.Errorf("%.2f%% of users on DynamoDB, want %v±2 (%s)", got, tt.wantShare, tt.reason)
			}
			if keys := log.keys(t); !equalStrings(keys, tt.wantErrs) {
				t.Errorf("reported problems with %v, want %v (%s)", keys, tt.wantErrs, tt.reason)
			}
		})
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestPrimaryShareStickyAndMonotone: two replicas move the same users, and
// raising the share only adds users.
func TestPrimaryShareStickyAndMonotone(t *testing.T) {
	const users = 5_000
	var last map[int]bool
	for _, share := range []float64{1, 5, 25, 50, 100} {
		var replicas [2]map[int]bool
		for i := range replicas {
			client, _ := memClient(t, shareFlags(true, 10, "postgres", share))
			f, _, _ := newTestFlags(t, client, WithTargetingKey(HeaderKey("X-User-Id")))
			replicas[i] = onDynamoDB(t, f, users)
			// A second pass on the same replica: the same users.
			if again := onDynamoDB(t, f, users); len(again) != len(replicas[i]) {
				t.Fatalf("share %v: %d users moved on the second pass, %d on the first", share, len(again), len(replicas[i]))
			}
		}
		if len(replicas[0]) != len(replicas[1]) {
			t.Fatalf("share %v: replicas moved %d and %d users, want the same set", share, len(replicas[0]), len(replicas[1]))
		}
		for u := range replicas[0] {
			if !replicas[1][u] {
				t.Fatalf("share %v: user %d moved on one replica only", share, u)
			}
		}
		for u := range last {
			if !replicas[0][u] {
				t.Fatalf("raising the share to %v moved user %d back to PostgreSQL", share, u)
			}
		}
		last = replicas[0]
	}
}

// TestPrimaryShareIndependentOfSampling: the share has a salt of its own,
// so the shadowed users are a fair sample of both stores' users.
func TestPrimaryShareIndependentOfSampling(t *testing.T) {
	const users = 10_000
	client, _ := memClient(t, shareFlags(true, 50, "postgres", 50))
	f, _, _ := newTestFlags(t, client, WithTargetingKey(HeaderKey("X-User-Id")))
	both := 0
	for i := range users {
		d := f.Decide(request("GET", userID(i)), "/products/{id}")
		if d.Sampled && d.Primary == backends.DynamoDB {
			both++
		}
	}
	// Independent halves overlap in about a quarter (σ = 43 users).
	if both < 2_300 || both > 2_700 {
		t.Errorf("%d of %d users both sampled and moved, want about 2500", both, users)
	}
}

// TestPrimarySharePerRoute: a provider rule on the route attribute gives
// each route its own share.
func TestPrimarySharePerRoute(t *testing.T) {
	flagSet := shadowFlags(true, 0, "postgres")
	flagSet[KeyPrimaryPercent] = dynamic(func(flat openfeature.FlattenedContext) any {
		if flat[AttrRoute] == "/orders" {
			return 100.0
		}
		return 0.0
	})
	client, _ := memClient(t, flagSet)
	f, _, _ := newTestFlags(t, client, WithTargetingKey(HeaderKey("X-User-Id")))
	for route, want := range map[string]backends.Name{"/orders": backends.DynamoDB, "/products/{id}": backends.Postgres} {
		if got := f.Decide(request("GET", "user-1"), route).Primary; got != want {
			t.Errorf("route %s: primary %s, want %s", route, got, want)
		}
	}
}

// TestPrimaryShareExactMode: exact mode rolls the share the same way.
func TestPrimaryShareExactMode(t *testing.T) {
	const users = 2_000
	var moved [2]map[int]bool
	for i, opts := range [][]Option{nil, {WithExactEvaluation()}} {
		client, _ := memClient(t, shareFlags(true, 10, "postgres", 30))
		f, _, _ := newTestFlags(t, client, append(opts, WithTargetingKey(HeaderKey("X-User-Id")))...)
		moved[i] = onDynamoDB(t, f, users)
	}
	if len(moved[0]) != len(moved[1]) {
		t.Errorf("cached mode moved %d users, exact mode %d: want the same roll", len(moved[0]), len(moved[1]))
	}
}

// TestPrimaryShareKeepsLastGood: once read, a share that cannot be read
// keeps its last value, so a flag outage never moves users between stores.
func TestPrimaryShareKeepsLastGood(t *testing.T) {
	tests := []struct {
		name   string
		fault  func(p *scriptedProvider)
		reason string
	}{
		{"provider failing", func(p *scriptedProvider) { p.fail = true }, "an error keeps the last share"},
		{"flag gone", func(p *scriptedProvider) { delete(p.values, KeyPrimaryPercent) },
			"a share read once and then missing is a problem, not a share of 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			values := shadowValues(true, 10, "postgres")
			values[KeyPrimaryPercent] = 100.0
			provider := newScriptedProvider(values)
			f, log, ft := newTestFlags(t, clientFor(t, provider), WithTargetingKey(HeaderKey("X-User-Id")))
			decide := func() backends.Name { return f.Decide(request("GET", "user-1"), "/products/{id}").Primary }
			if got := decide(); got != backends.DynamoDB {
				t.Fatalf("primary %s at share 100, want dynamodb", got)
			}
			provider.update(tt.fault)
			ft.tick()
			decide()
			eventually(t, "the failed refresh is reported", func() bool { return log.count() > 0 })
			if got := decide(); got != backends.DynamoDB {
				t.Errorf("primary %s after the refresh, want the last good share's dynamodb (%s)", got, tt.reason)
			}
		})
	}
}

// TestPrimaryShareDoesNotAllocate: the share's roll adds no allocation to
// cached mode, sampled or not.
func TestPrimaryShareDoesNotAllocate(t *testing.T) {
	client, _ := memClient(t, shareFlags(true, 50, "postgres", 50))
	f, _, _ := newTestFlags(t, client, WithTargetingKey(HeaderKey("X-User-Id")))
	r := request("GET", "user-42")
	f.Decide(r, "/products/{id}")
	if allocs := testing.AllocsPerRun(1000, func() { f.Decide(r, "/products/{id}") }); allocs != 0 {
		t.Errorf("Decide with a split share allocates %v times, want 0", allocs)
	}
}
