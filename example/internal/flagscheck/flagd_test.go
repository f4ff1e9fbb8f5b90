package flagscheck

import (
	"os"
	"strings"
	"testing"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/flags"
)

const route = "/products/{id}"

// exactConfig splits shadowing by user with flagd's fractional operator:
// 25% of targeting keys are enabled, 30% have DynamoDB as primary.
const exactConfig = `{
  "flags": {
    "shadowread.enabled": {
      "state": "ENABLED",
      "variants": {"on": true, "off": false},
      "defaultVariant": "off",
      "targeting": {"fractional": [["on", 25], ["off", 75]]}
    },
    "shadowread.sample-percent": {
      "state": "ENABLED",
      "variants": {"all": 100},
      "defaultVariant": "all"
    },
    "shadowread.primary": {
      "state": "ENABLED",
      "variants": {"postgres": "postgres", "dynamodb": "dynamodb"},
      "defaultVariant": "postgres",
      "targeting": {"fractional": [["dynamodb", 30], ["postgres", 70]]}
    }
  }
}`

// TestFlagdExactFractional checks that exact mode hands the targeting key
// to flagd, whose fractional operator then splits users stickily in the
// shares the flag file gives.
func TestFlagdExactFractional(t *testing.T) {
	const users = 10_000
	log := captureErrors(t)
	client, _ := flagdClient(t, exactConfig)
	f := newFlags(t, client, flags.WithExactEvaluation(), flags.WithTargetingKey(flags.HeaderKey("X-User-Id")))

	decide := func(i int) flags.Decision { return f.Decide(request(userID(i)), route) }
	first := make([]flags.Decision, users)
	var sampled, dynamo int
	for i := range users {
		d := decide(i)
		first[i] = d
		if d.Sampled {
			sampled++
		}
		if d.Primary == backends.DynamoDB {
			dynamo++
		}
	}
	sampledShare, dynamoShare := 100*float64(sampled)/users, 100*float64(dynamo)/users
	t.Logf("flagd fractional: %.2f%% sampled (flag 25%%), %.2f%% on DynamoDB (flag 30%%)", sampledShare, dynamoShare)
	if sampledShare < 23 || sampledShare > 27 {
		t.Errorf("sampled %.2f%% of users, want 25±2", sampledShare)
	}
	if dynamoShare < 28 || dynamoShare > 32 {
		t.Errorf("%.2f%% of users on DynamoDB, want 30±2", dynamoShare)
	}
	for i := range users {
		if got := decide(i); got != first[i] {
			t.Fatalf("%s: second decision %+v differs from the first %+v: not sticky", userID(i), got, first[i])
		}
	}
	if errs := log.all(); len(errs) > 0 {
		t.Errorf("reported %v, want no problems", errs)
	}
}

// cachedConfig enables shadowing for one route at a plain percentage;
// Flags samples users locally.
const cachedConfig = `{
  "flags": {
    "shadowread.enabled": {
      "state": "ENABLED",
      "variants": {"on": true, "off": false},
      "defaultVariant": "off",
      "targeting": {"if": [{"==": [{"var": "route"}, "/products/{id}"]}, "on", "off"]}
    },
    "shadowread.sample-percent": {
      "state": "ENABLED",
      "variants": {"canary": 30},
      "defaultVariant": "canary"
    },
    "shadowread.primary": {
      "state": "ENABLED",
      "variants": {"postgres": "postgres"},
      "defaultVariant": "postgres"
    }
  }
}`

// TestFlagdCached checks cached mode over flagd: the route attribute
// reaches flagd's targeting, local sampling is sticky at the flag's
// percentage, and an edit of the flag file reaches the cached values
// through flagd's configuration-change event.
func TestFlagdCached(t *testing.T) {
	const users = 10_000
	log := captureErrors(t)
	client, path := flagdClient(t, cachedConfig)
	f := newFlags(t, client, flags.WithTargetingKey(flags.HeaderKey("X-User-Id")))

	first := make([]bool, users)
	sampled := 0
	for i := range users {
		first[i] = f.Decide(request(userID(i)), route).Sampled
		if first[i] {
			sampled++
		}
	}
	share := 100 * float64(sampled) / users
	t.Logf("cached mode over flagd: %.2f%% sampled (flag 30%%)", share)
	if share < 28 || share > 32 {
		t.Errorf("sampled %.2f%% of users, want 30±2", share)
	}
	for i := range users {
		if got := f.Decide(request(userID(i)), route).Sampled; got != first[i] {
			t.Fatalf("%s: sampled %v, then %v: not sticky", userID(i), first[i], got)
		}
	}
	if f.Decide(request(userID(0)), "/orders/{id}").Sampled {
		t.Error("a route the flag's targeting leaves out was sampled")
	}

	var left []int // users outside the 30% sample
	for i := 0; len(left) < 20; i++ {
		if !first[i] {
			left = append(left, i)
		}
	}

	// Editing the file makes flagd send a configuration change.
	edited := strings.Replace(cachedConfig, `{"canary": 30}`, `{"canary": 100}`, 1)
	if err := os.WriteFile(path, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the edited percentage is used", func() bool {
		for _, i := range left {
			if !f.Decide(request(userID(i)), route).Sampled {
				return false
			}
		}
		return true
	})
	if errs := log.all(); len(errs) > 0 {
		t.Errorf("reported %v, want no problems", errs)
	}
}
