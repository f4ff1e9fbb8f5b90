package middleware

import (
	"fmt"
	"hash/maphash"
	"math"
	"slices"
	"sync"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/telemetry"
)

// Bounds and evidence of noise learning.
const (
	// MaxNoiseFields is the most fields one A/A pair contributes; a pair
	// that differs in more is counted on its first MaxNoiseFields.
	MaxNoiseFields = 64
	// MaxNoiseRoutes is the most routes that learn noise; further routes
	// learn nothing.
	MaxNoiseRoutes = backends.DefaultMaxRoutes
	// NoiseWindow is how many of a route's latest A/A pairs the learner
	// judges: older pairs are forgotten, so a field that stops differing
	// stops being noise within NoiseWindow pairs.
	NoiseWindow = 64
	// NoiseMinPairs is the fewest A/A pairs in the window before any field
	// of the route is learned.
	NoiseMinPairs = 20
	// NoiseMinEntities is the fewest different entities (WithEntityKey, or
	// else the request path) whose A/A pairs must show a field differing
	// before it is learned: one hot entity, however often a write changes
	// it between two reads, never teaches the route.
	NoiseMinEntities = 10
	// NoiseMinShare is the share of the window's pairs, and of its
	// entities, in which a field must have differed: a generated id or a
	// now-stamp differs in every pair of every entity, a written field only
	// where writes raced the reads.
	NoiseMinShare = 0.9
)

// WithNoiseBaseline learns which fields of a route are nondeterministic
// (generated-at stamps, request ids), as Twitter's Diffy does with two
// primaries, instead of needing an ignore rule for each. For percent (0 to
// 100) of the shadows, the primary handler runs a second time right after
// the user's primary read, in the background (detached, in the shadow's
// slot and timeout, routed to the primary with [backends.IsShadow] true),
// and the two primary responses are compared: an A/A pair, recorded as its
// own event with [telemetry.Event.NoiseBaseline] set, which never counts
// towards readiness. A re-check ([WithRecheck]) then also reads the primary
// twice, so every mismatch gets an A/A pair of its own.
//
// Nothing is absorbed without evidence that the field is nondeterministic
// in the primary itself:
//   - a request with its own A/A pair is judged by it alone: a difference
//     on a field that differed between the two primary reads is absorbed,
//     one on a field that was equal there is a mismatch, whatever was
//     learned;
//   - otherwise a difference is absorbed only on a field the route has
//     learned: one that differed in at least [NoiseMinShare] of the
//     route's last [NoiseWindow] A/A pairs (at least [NoiseMinPairs]), and
//     for at least [NoiseMinEntities] different entities making up
//     [NoiseMinShare] of the entities in the window. Entities are told
//     apart by [WithEntityKey], else by the request path.
//
// A pair whose differences are all absorbed is a [telemetry.Match] that
// lists the fields in [telemetry.Event.Noise]; in a mismatch, absorbed
// differences are left out of the result and listed there too, so the
// recorder counts them. Whole bodies compared as bytes (`$body`) and status
// codes are never noise. [Shadower.Noise] lists what a route has learned.
// 0 turns the baseline off (the default); it panics outside 0 to 100.
func WithNoiseBaseline(percent float64) Option {
	if math.IsNaN(percent) || percent < 0 || percent > 100 {
		panic(fmt.Sprintf("middleware: WithNoiseBaseline(%v): the share is a percentage from 0 to 100, such as 5; 0 turns the baseline off", percent))
	}
	return optionFunc(func(c *config) { c.noisePercent = percent })
}

// noiseStore is the one noise learner: per route, the latest A/A pairs and
// the fields they prove nondeterministic.
type noiseStore struct {
	percent float64
	seed    maphash.Seed
	mu      sync.Mutex
	routes  map[string]*noiseRoute
}

// noisePair is one A/A pair of a route: the entity read and the fields that
// differed between the two primary reads.
type noisePair struct {
	entity uint64
	fields []string
}

// noiseRoute is a route's window of A/A pairs and what it proves.
type noiseRoute struct {
	pairs   []noisePair // a ring of at most NoiseWindow pairs
	next    int         // where the next pair goes once the ring is full
	learned map[string]bool
}

func newNoiseStore(percent float64) *noiseStore {
	if percent <= 0 {
		return nil
	}
	return &noiseStore{percent: percent, seed: maphash.MakeSeed(), routes: map[string]*noiseRoute{}}
}

// Noise returns the fields learned as noise of route, sorted; none without
// [WithNoiseBaseline].
func (s *Shadower) Noise(route string) []string {
	n := s.noise
	if n == nil {
		return nil
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	r := n.routes[route]
	if r == nil {
		return nil
	}
	var fields []string
	for f := range r.learned {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	return fields
}

// entityHash returns the hash the learner tells entities apart by.
func (n *noiseStore) entityHash(entity string) uint64 {
	return maphash.String(n.seed, entity)
}

// learn adds one A/A pair of route, read for entity, whose differences were
// diffs, and judges the route's fields again.
func (n *noiseStore) learn(route string, entity uint64, diffs []comparator.Diff) {
	fields := differingFields(diffs)
	n.mu.Lock()
	defer n.mu.Unlock()
	r := n.routes[route]
	if r == nil {
		if len(n.routes) >= MaxNoiseRoutes {
			return
		}
		r = &noiseRoute{}
		n.routes[route] = r
	}
	pair := noisePair{entity: entity, fields: fields}
	if len(r.pairs) < NoiseWindow {
		r.pairs = append(r.pairs, pair)
	} else {
		r.pairs[r.next] = pair
		r.next = (r.next + 1) % NoiseWindow
	}
	r.learned = r.judge()
}

// judge returns the fields the window proves nondeterministic.
func (r *noiseRoute) judge() map[string]bool {
	if len(r.pairs) < NoiseMinPairs {
		return nil
	}
	entities := map[uint64]bool{}
	pairsWith := map[string]int{}
	entitiesWith := map[string]map[uint64]bool{}
	for _, p := range r.pairs {
		entities[p.entity] = true
		for _, f := range p.fields {
			pairsWith[f]++
			if entitiesWith[f] == nil {
				entitiesWith[f] = map[uint64]bool{}
			}
			entitiesWith[f][p.entity] = true
		}
	}
	var learned map[string]bool
	for f, pairs := range pairsWith {
		differed := len(entitiesWith[f])
		if float64(pairs) >= NoiseMinShare*float64(len(r.pairs)) &&
			differed >= NoiseMinEntities && float64(differed) >= NoiseMinShare*float64(len(entities)) {
			if learned == nil {
				learned = map[string]bool{}
			}
			learned[f] = true
		}
	}
	return learned
}

// evidence returns what may be absorbed in one request's pair of route:
// the fields its own A/A pairs showed differing when it has any (own is
// non-nil), else the fields the route has learned.
func (n *noiseStore) evidence(route string, own map[string]bool) map[string]bool {
	if n == nil {
		return nil
	}
	if own != nil {
		return own
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if r := n.routes[route]; r != nil {
		return r.learned
	}
	return nil
}

// absorb takes the differences on fields in noise out of ev, a mismatch,
// lists those fields in ev.Noise, and makes ev a match when nothing else
// differed.
func absorb(ev *telemetry.Event, noise map[string]bool) {
	if len(noise) == 0 || len(ev.Result.Diffs) == 0 {
		return
	}
	var kept []comparator.Diff
	var absorbed []string
	for _, d := range ev.Result.Diffs {
		if f := d.FieldName(); noise[f] && learnable(f) {
			if !slices.Contains(absorbed, f) {
				absorbed = append(absorbed, f)
			}
			continue
		}
		kept = append(kept, d)
	}
	if len(absorbed) == 0 {
		return
	}
	slices.Sort(absorbed)
	ev.Noise = absorbed
	ev.Result.Diffs = kept
	if len(kept) == 0 && !ev.Result.Truncated {
		ev.Outcome, ev.Result.Equal = telemetry.Match, true
	}
}

// differingFields returns the learnable index-free fields of diffs, each
// once, at most MaxNoiseFields.
func differingFields(diffs []comparator.Diff) []string {
	var fields []string
	for _, d := range diffs {
		if f := d.FieldName(); learnable(f) && !slices.Contains(fields, f) && len(fields) < MaxNoiseFields {
			fields = append(fields, f)
		}
	}
	return fields
}

// fieldSet returns fields as a set, never nil: an A/A pair that differed
// nowhere is evidence too (that nothing is noise for this request).
func fieldSet(fields []string) map[string]bool {
	set := make(map[string]bool, len(fields))
	for _, f := range fields {
		set[f] = true
	}
	return set
}

// learnable reports whether field may be learned as noise: not a whole body
// compared as bytes, nor the status code.
func learnable(field string) bool {
	return field != "$body" && field != "$status" && field != bodySizeField
}
