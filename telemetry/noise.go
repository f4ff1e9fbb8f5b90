package telemetry

import (
	"cmp"
	"slices"
	"time"

	"github.com/shadowread/shadowread/comparator"
)

// Sources of the shadowread.noise counter.
const (
	noiseBaseline = "baseline" // a difference between two reads of the primary (A/A)
	noiseAbsorbed = "absorbed" // a field whose differences were absorbed as noise in a comparison with the shadow
)

// maxNoiseFields bounds the fields a route's noise view keeps.
const maxNoiseFields = 32

// The suspicious-field rule: a field absorbed between the stores in more
// than twice the share of comparisons in which it differs between two reads
// of the primary, plus five points, once a route has compared enough
// requests for the shares to mean something. A field that is noise differs
// about as often between the stores as between two primary reads; one that
// differs far more often between the stores is a sign that the absorption
// hides real differences of data.
const (
	suspiciousFactor      = 2
	suspiciousMargin      = 0.05
	suspiciousMinCompared = 20
)

// noiseTable counts what the events say about a route's noise; it learns
// nothing itself (the middleware decides what is noise). Per field: the A/A
// pairs in which it differed and the comparisons with the shadow in which
// its differences were absorbed. At most maxNoiseFields fields: a new one
// evicts the least counted.
type noiseTable struct {
	fields   map[string]*noiseField
	baseline uint64 // A/A pairs seen
	compared uint64 // primary-vs-shadow comparisons seen
	evicted  uint64 // fields evicted to make room
}

type noiseField struct {
	aaDiffered uint64 // A/A pairs in which the field differed
	absorbed   uint64 // comparisons in which its differences were absorbed
	lastSeen   time.Time
}

func newNoiseTable() noiseTable {
	return noiseTable{fields: make(map[string]*noiseField)}
}

// field returns the entry of name, making room for it when needed.
func (t *noiseTable) field(name string) *noiseField {
	if f := t.fields[name]; f != nil {
		return f
	}
	if len(t.fields) >= maxNoiseFields {
		var victim string
		var least *noiseField
		for n, f := range t.fields {
			if least == nil || f.aaDiffered+f.absorbed < least.aaDiffered+least.absorbed ||
				f.aaDiffered+f.absorbed == least.aaDiffered+least.absorbed && n < victim {
				victim, least = n, f
			}
		}
		delete(t.fields, victim)
		t.evicted++
	}
	f := &noiseField{}
	t.fields[name] = f
	return f
}

// baselinePair counts the fields of one A/A pair's differences, each once,
// and returns how many distinct fields it showed.
func (t *noiseTable) baselinePair(diffs []comparator.Diff, now time.Time) int {
	t.baseline++
	seen := make([]string, 0, len(diffs))
	for _, d := range diffs {
		name := clip(d.FieldName())
		if slices.Contains(seen, name) {
			continue
		}
		seen = append(seen, name)
		f := t.field(name)
		f.aaDiffered++
		f.lastSeen = now
	}
	return len(seen)
}

// comparison counts one comparison with the shadow and the fields whose
// differences it absorbed, each once.
func (t *noiseTable) comparison(absorbed []string, now time.Time) {
	t.compared++
	for i, name := range absorbed {
		if slices.Contains(absorbed[:i], name) {
			continue
		}
		f := t.field(clip(name))
		f.absorbed++
		f.lastSeen = now
	}
}

// NoiseReport is one field of a route's noise: how often it differed
// between two reads of the primary (the A/A pairs) and how often its
// differences were absorbed between the primary and the shadow.
type NoiseReport struct {
	// Field is the index-free field (Diff.Field, or the path when empty).
	Field string `json:"field"`
	// AADiffered counts the A/A pairs of the route in which the field
	// differed, AARate their share of the route's A/A pairs.
	AADiffered uint64  `json:"aa_differed"`
	AARate     float64 `json:"aa_rate"`
	// Absorbed counts the route's comparisons with the shadow in which the
	// field's differences were absorbed as noise (Event.Noise),
	// AbsorbedRate their share of the route's comparisons.
	Absorbed     uint64  `json:"absorbed"`
	AbsorbedRate float64 `json:"absorbed_rate"`
	// Suspicious flags a field absorbed between the stores far more often
	// than it differs between two primary reads: AbsorbedRate > 2 × AARate
	// + 0.05, once the route has 20 comparisons. Real data is likely being
	// absorbed.
	Suspicious bool      `json:"suspicious"`
	LastSeen   time.Time `json:"last_seen"`
}

// report returns the fields, the suspicious first, then the most absorbed.
func (t *noiseTable) report() []NoiseReport {
	out := make([]NoiseReport, 0, len(t.fields))
	for name, f := range t.fields {
		nr := NoiseReport{Field: name, AADiffered: f.aaDiffered, Absorbed: f.absorbed, LastSeen: f.lastSeen}
		if t.baseline > 0 {
			nr.AARate = float64(f.aaDiffered) / float64(t.baseline)
		}
		if t.compared > 0 {
			nr.AbsorbedRate = float64(f.absorbed) / float64(t.compared)
		}
		nr.Suspicious = t.compared >= suspiciousMinCompared && nr.AbsorbedRate > suspiciousFactor*nr.AARate+suspiciousMargin
		out = append(out, nr)
	}
	slices.SortFunc(out, func(a, b NoiseReport) int {
		if a.Suspicious != b.Suspicious {
			if a.Suspicious {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(b.Absorbed, a.Absorbed), cmp.Compare(b.AADiffered, a.AADiffered), cmp.Compare(a.Field, b.Field))
	})
	return out
}
