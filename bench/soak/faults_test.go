//go:build soak

package soak

import (
	"sync"
	"time"

	"github.com/shadowread/shadowread/backends"
)

// faultState says which stores are healthy now, for judging each read by
// its primary: a read whose primary was healthy from its start to its end,
// with no change of the flags in between, must not fail.
type faultState struct {
	mu sync.Mutex
	// healthyAt is when each store counts as healthy again: the far future
	// while its fault lasts, a grace period after it.
	healthyAt map[backends.Name]time.Time
	epoch     int  // changes with every fault, heal and flag change
	share     bool // customers 1..ddbShare read from DynamoDB
}

func newFaultState() *faultState {
	return &faultState{healthyAt: map[backends.Name]time.Time{}}
}

func (f *faultState) fault(store backends.Name, _ string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.healthyAt[store] = time.Now().Add(100 * 365 * 24 * time.Hour)
	f.epoch++
}

func (f *faultState) heal(store backends.Name, grace time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.healthyAt[store] = time.Now().Add(grace)
	f.epoch++
}

func (f *faultState) flip(string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.epoch++
}

func (f *faultState) setShare(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.share = on
	f.epoch++
}

// primary returns the store that serves the customer's reads now, whether
// it is healthy, and the epoch.
func (f *faultState) primary(customer int) (backends.Name, bool, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	store := backends.Postgres
	if f.share && customer <= ddbShare {
		store = backends.DynamoDB
	}
	return store, time.Now().After(f.healthyAt[store]), f.epoch
}

// unchanged reports whether nothing changed since epoch.
func (f *faultState) unchanged(epoch int) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.epoch == epoch
}
