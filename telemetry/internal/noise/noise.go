package noise

import (
	"cmp"
	"slices"
	"time"

	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/telemetry/internal/label"
	"github.com/shadowread/shadowread/telemetry/report"
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

// Table counts what the events say about a route's noise. Per field: the
// A/A pairs in which it differed and the comparisons with the shadow in
// which its differences were absorbed. At most 32 fields: a new one evicts
// the least counted.
type Table struct {
	fields   map[string]*noiseField
	Baseline uint64 // A/A pairs seen
	Compared uint64 // primary-vs-shadow comparisons seen
	Evicted  uint64 // fields evicted to make room
}

type noiseField struct {
	aaDiffered uint64 // A/A pairs in which the field differed
	absorbed   uint64 // comparisons in which its differences were absorbed
	lastSeen   time.Time
}

// NewTable returns an empty table.
func NewTable() Table {
	return Table{fields: make(map[string]*noiseField)}
}

// field returns the entry of name, making room for it when needed.
func (t *Table) field(name string) *noiseField {
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
		t.Evicted++
	}
	f := &noiseField{}
	t.fields[name] = f
	return f
}

// BaselinePair counts the fields of one A/A pair's differences, each once,
// and returns how many distinct fields it showed.
func (t *Table) BaselinePair(diffs []comparator.Diff, now time.Time) int {
	t.Baseline++
	seen := make([]string, 0, len(diffs))
	for _, d := range diffs {
		name := label.Clip(d.FieldName())
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

// Comparison counts one comparison with the shadow and the fields whose
// differences it absorbed, each once.
func (t *Table) Comparison(absorbed []string, now time.Time) {
	t.Compared++
	for i, name := range absorbed {
		if slices.Contains(absorbed[:i], name) {
			continue
		}
		f := t.field(label.Clip(name))
		f.absorbed++
		f.lastSeen = now
	}
}

// Report returns the fields, the suspicious first, then the most absorbed.
func (t *Table) Report() []report.NoiseReport {
	out := make([]report.NoiseReport, 0, len(t.fields))
	for name, f := range t.fields {
		nr := report.NoiseReport{Field: name, AADiffered: f.aaDiffered, Absorbed: f.absorbed, LastSeen: f.lastSeen}
		if t.Baseline > 0 {
			nr.AARate = float64(f.aaDiffered) / float64(t.Baseline)
		}
		if t.Compared > 0 {
			nr.AbsorbedRate = float64(f.absorbed) / float64(t.Compared)
		}
		nr.Suspicious = t.Compared >= suspiciousMinCompared && nr.AbsorbedRate > suspiciousFactor*nr.AARate+suspiciousMargin
		out = append(out, nr)
	}
	slices.SortFunc(out, func(a, b report.NoiseReport) int {
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
