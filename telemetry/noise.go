package telemetry

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/shadowread/shadowread/comparator"
)

// Sources of the shadowread.noise counter.
const (
	noiseBaseline = "baseline" // a difference between two reads of the primary (A/A)
	noiseAbsorbed = "absorbed" // a learned-noise field absorbed in a match
)

// maxNoiseFields bounds the fields a route's noise view keeps.
const maxNoiseFields = 32

// noiseTable is a route's learned-noise view: the fields that differed
// between two reads of the same store, with a weight that halves every
// half-life without new occurrences, so a field that stops being noisy
// fades out. At most maxNoiseFields fields: a new one evicts the lightest.
type noiseTable struct {
	halfLife time.Duration
	fields   map[string]*noiseField
	baseline uint64 // A/A events seen
}

type noiseField struct {
	weight   float64 // decayed count of A/A events that showed the field
	at       time.Time
	absorbed uint64 // matches in which the field was absorbed
	lastSeen time.Time
}

func newNoiseTable(halfLife time.Duration) noiseTable {
	return noiseTable{halfLife: halfLife, fields: make(map[string]*noiseField)}
}

// decayed returns f's weight at now.
func (t *noiseTable) decayed(f *noiseField, now time.Time) float64 {
	age := now.Sub(f.at)
	if age <= 0 {
		return f.weight
	}
	return f.weight * math.Exp2(-float64(age)/float64(t.halfLife))
}

// field returns the entry of name, making room for it when needed.
func (t *noiseTable) field(name string, now time.Time) *noiseField {
	name = clip(name)
	if f := t.fields[name]; f != nil {
		return f
	}
	if len(t.fields) >= maxNoiseFields {
		var victim string
		lightest := math.Inf(1)
		for n, f := range t.fields {
			if w := t.decayed(f, now); w < lightest || w == lightest && n < victim {
				victim, lightest = n, w
			}
		}
		delete(t.fields, victim)
	}
	f := &noiseField{at: now}
	t.fields[name] = f
	return f
}

// learn counts the fields of one A/A comparison, each once, and returns how
// many distinct fields it showed.
func (t *noiseTable) learn(diffs []comparator.Diff, now time.Time) int {
	t.baseline++
	seen := make(map[string]bool, len(diffs))
	for _, d := range diffs {
		name := fieldOf(d)
		if seen[name] {
			continue
		}
		seen[name] = true
		f := t.field(name, now)
		f.weight = t.decayed(f, now) + 1
		f.at, f.lastSeen = now, now
	}
	return len(seen)
}

// absorb counts the noise fields a match absorbed.
func (t *noiseTable) absorb(fields []string, now time.Time) {
	for _, name := range fields {
		f := t.field(name, now)
		f.absorbed++
		f.lastSeen = now
	}
}

// NoiseReport is one field of a route's learned noise: a field that
// differed between two reads of the primary (the A/A noise baseline).
type NoiseReport struct {
	// Field is the index-free field (Diff.Field, or the path when empty).
	Field string `json:"field"`
	// Weight counts the A/A comparisons that showed the field, each halved
	// for every half-life (the readiness window) since it was seen: a
	// field that stops differing fades towards 0.
	Weight float64 `json:"weight"`
	// Absorbed counts the matches in which a difference on the field was
	// absorbed as noise.
	Absorbed uint64    `json:"absorbed"`
	LastSeen time.Time `json:"last_seen"`
}

// report returns the fields, the heaviest first.
func (t *noiseTable) report(now time.Time) []NoiseReport {
	out := make([]NoiseReport, 0, len(t.fields))
	for name, f := range t.fields {
		out = append(out, NoiseReport{Field: name, Weight: t.decayed(f, now), Absorbed: f.absorbed, LastSeen: f.lastSeen})
	}
	slices.SortFunc(out, func(a, b NoiseReport) int {
		return cmp.Or(cmp.Compare(b.Weight, a.Weight), cmp.Compare(b.Absorbed, a.Absorbed), cmp.Compare(a.Field, b.Field))
	})
	return out
}

// fieldOf returns the index-free field of d, or its path when the
// comparator left Field empty.
func fieldOf(d comparator.Diff) string {
	if d.Field != "" {
		return d.Field
	}
	return d.Path
}
