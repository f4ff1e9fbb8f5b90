package flags

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/bits"
	"testing"
)

// sampledShare returns the share in percent of n users that f samples, and
// the sampled user ids.
func sampledShare(f *Flags, n int) (float64, map[string]bool) {
	sampled := make(map[string]bool)
	for i := range n {
		id := userID(i)
		if f.Decide(request("GET", id), "/products/{id}").Sampled {
			sampled[id] = true
		}
	}
	return 100 * float64(len(sampled)) / float64(n), sampled
}

func TestStickySampling(t *testing.T) {
	const users = 10_000
	tests := []struct {
		name    string
		percent float64
		reason  string
	}{
		{"one percent", 1, "a small canary still lands near its share"},
		{"a quarter", 25, "the usual first step"},
		{"half", 50, "the worst case for variance"},
		{"fractional percent", 90.5, "the resolution is 0.01 points"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, _ := memClient(t, shadowFlags(true, tt.percent, "postgres"))
			f, _, _ := newTestFlags(t, client, WithTargetingKey(HeaderKey("X-User-Id")))
			share, first := sampledShare(f, users)
			t.Logf("sampled %.2f%% of %d users at %v%%", share, users, tt.percent)
			if share < tt.percent-2 || share > tt.percent+2 {
				t.Errorf("sampled %.2f%% of %d users, want %v±2 (%s)", share, users, tt.percent, tt.reason)
			}

			// Another instance stands for another replica or a restart.
			replica, _, _ := newTestFlags(t, client, WithTargetingKey(HeaderKey("X-User-Id")))
			_, again := sampledShare(replica, users)
			for id := range first {
				if !again[id] {
					t.Fatalf("%s sampled by one instance but not by another: sampling is not sticky", id)
				}
			}
			if len(again) != len(first) {
				t.Fatalf("the second instance sampled %d users, the first %d", len(again), len(first))
			}
		})
	}
}

// TestStickySamplingGrows: raising the percentage only adds users, so a
// user in the sample stays in it during a rollout.
func TestStickySamplingGrows(t *testing.T) {
	sampledAt := func(percent float64) map[string]bool {
		client, _ := memClient(t, shadowFlags(true, percent, "postgres"))
		f, _, _ := newTestFlags(t, client, WithTargetingKey(HeaderKey("X-User-Id")))
		_, sampled := sampledShare(f, 10_000)
		return sampled
	}
	low, high := sampledAt(10), sampledAt(30)
	for id := range low {
		if !high[id] {
			t.Fatalf("%s is sampled at 10%% but not at 30%%", id)
		}
	}
}

// TestStickyHashIsFNV1a pins the hash to its published definition, so a
// refactor cannot silently change which users are sampled.
func TestStickyHashIsFNV1a(t *testing.T) {
	h := newStickyHash(KeySamplePercent)
	for _, key := range []string{"", "user-1", "tenant/ACME", "ü-ñ", "a much longer key with spaces"} {
		std := fnv.New64a()
		std.Write([]byte(KeySamplePercent + key))
		want, _ := bits.Mul64(fmix64(std.Sum64()), buckets)
		if got := h.bucket(key); uint64(got) != want {
			t.Errorf("bucket(%q) = %d, want %d from hash/fnv", key, got, want)
		}
	}
}

// TestSaltSeparatesFlagKeys: services with their own flag keys sample
// different users at the same percentage.
func TestSaltSeparatesFlagKeys(t *testing.T) {
	a, b := newStickyHash("catalog.sample-percent"), newStickyHash("orders.sample-percent")
	both := 0
	for i := range 10_000 {
		key := fmt.Sprintf("user-%d", i)
		if a.bucket(key) < 5_000 && b.bucket(key) < 5_000 {
			both++
		}
	}
	// Independent halves overlap in about a quarter of the users.
	if both < 2_300 || both > 2_700 {
		t.Errorf("%d of 10000 users sampled at 50%% under both keys, want about 2500", both)
	}
}

func TestRandomSampling(t *testing.T) {
	const requests = 20_000
	tests := []struct {
		name   string
		opts   []Option
		header string
		reason string
	}{
		{"no key function", nil, "", "without a key every request is rolled on its own"},
		{"empty key", []Option{WithTargetingKey(HeaderKey("X-User-Id"))}, "",
			"a request without the header falls back to a random roll"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, _ := memClient(t, shadowFlags(true, 50, "postgres"))
			f, _, _ := newTestFlags(t, client, tt.opts...)
			sampled := 0
			for range requests {
				if f.Decide(request("GET", tt.header), "/products/{id}").Sampled {
					sampled++
				}
			}
			// The standard deviation is 0.35 points; 2 points is almost 6 of them.
			if share := 100 * float64(sampled) / requests; share < 48 || share > 52 {
				t.Errorf("sampled %.2f%% of %d requests, want 50±2 (%s)", share, requests, tt.reason)
			}
		})
	}
}

func TestThresholdOf(t *testing.T) {
	tests := []struct {
		name    string
		percent float64
		want    uint32
		wantErr bool
		reason  string
	}{
		{"zero", 0, 0, false, "nothing sampled"},
		{"hundred", 100, buckets, false, "everything sampled"},
		{"hundredth", 0.01, 1, false, "the smallest step is one bucket"},
		{"rounding", 33.333, 3333, false, "rounded to the nearest bucket"},
		{"below zero", -0.5, 0, true, "clamped to 0"},
		{"above hundred", 100.5, buckets, true, "clamped to 100"},
		{"NaN", math.NaN(), 0, true, "NaN shadows nothing"},
		{"infinity", math.Inf(1), buckets, true, "clamped to 100"},
	}
	for _, tt := range tests {
		got, err := thresholdOf(tt.percent)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("%s: thresholdOf(%v) = %d, %v; want %d, error %v (%s)",
				tt.name, tt.percent, got, err, tt.want, tt.wantErr, tt.reason)
		}
	}
}
