package track

import (
	"maps"
	"slices"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/telemetry/internal/exemplar"
	"github.com/shadowread/shadowread/telemetry/internal/label"
	"github.com/shadowread/shadowread/telemetry/internal/latency"
	"github.com/shadowread/shadowread/telemetry/internal/verdict"
	"github.com/shadowread/shadowread/telemetry/report"
)

// Direction is which backend serves and which shadows: postgres→dynamodb
// before a route's switch, dynamodb→postgres after it. Names outside the
// known backends are [Other] ([Backend]), so they cannot add metric series.
type Direction struct {
	Primary, Shadow backends.Name
}

// Flow is what the recorder keeps for one route in one direction: counts,
// readiness figures, latencies and signatures are never mixed across a
// switch of the primary. The route's mutex guards it.
type Flow struct {
	dir   Direction
	route string
	sets  map[AttrKey]*Attrs
	// fields are the diff fields with a shadowread.mismatch_fields series of
	// their own, at most maxFields; later ones count as "other".
	fields    map[string]bool
	maxFields int
	// outcomes counts events by outcome label, rechecks by result label.
	outcomes                      map[string]uint64
	rechecks                      map[string]uint64
	primaryLatency, shadowLatency latency.Histogram
	exemplars                     exemplar.Set
	// The readiness counts: since the start, over the window, since the mark.
	total     verdict.Counts
	window    verdict.Window
	sinceMark verdict.Counts
}

func newFlow(route string, d Direction, maxSignatures, maxFields int, window time.Duration) *Flow {
	return &Flow{
		dir:       d,
		route:     route,
		sets:      make(map[AttrKey]*Attrs),
		fields:    make(map[string]bool),
		maxFields: maxFields,
		outcomes:  make(map[string]uint64),
		rechecks:  make(map[string]uint64),
		exemplars: exemplar.NewSet(maxSignatures),
		window:    verdict.NewWindow(window),
	}
}

// AttrKey names one attribute set of a flow besides route and direction,
// by labels; empty fields are left out.
type AttrKey struct {
	Outcome string
	Reason  string
	Role    backends.Role
	Kind    comparator.Kind
	Recheck string
	Field   string
}

// Measurement returns the pre-built attribute set for k. The route's mutex
// must be held. Building each set once keeps Record free of attribute
// sorting and allocation after a flow's first events.
func (f *Flow) Measurement(k AttrKey) *Attrs {
	if m, ok := f.sets[k]; ok {
		return m
	}
	kvs := []attribute.KeyValue{
		attribute.String("route", f.route),
		attribute.String("primary", string(f.dir.Primary)),
		attribute.String("shadow", string(f.dir.Shadow)),
	}
	if k.Outcome != "" {
		kvs = append(kvs, attribute.String("outcome", k.Outcome))
	}
	if k.Reason != "" {
		kvs = append(kvs, attribute.String("reason", k.Reason))
	}
	switch k.Role {
	case backends.RolePrimary:
		kvs = append(kvs, attribute.String("role", string(k.Role)), attribute.String("backend", string(f.dir.Primary)))
	case backends.RoleShadow:
		kvs = append(kvs, attribute.String("role", string(k.Role)), attribute.String("backend", string(f.dir.Shadow)))
	}
	if k.Kind != "" {
		kvs = append(kvs, attribute.String("kind", string(k.Kind)))
	}
	if k.Recheck != "" {
		kvs = append(kvs, attribute.String("result", k.Recheck))
	}
	if k.Field != "" {
		kvs = append(kvs, attribute.String("field", k.Field))
	}
	m := newAttrs(kvs...)
	f.sets[k] = m
	return m
}

// Measurements are the attribute sets one event is recorded with.
type Measurements struct {
	Base, Comparison, Primary, Shadow, Recheck *Attrs             // Recheck: nil without a re-check
	kinds                                      [kindLabels]*Attrs // one per distinct kind label
	nkinds                                     int
	Fields                                     []*Attrs // one per distinct field label
}

// Kinds returns one attribute set per distinct diff kind label of a
// mismatch.
func (m *Measurements) Kinds() []*Attrs { return m.kinds[:m.nkinds] }

// observe updates f's statistics with o and returns the attribute sets to
// record it with. The route's mutex must be held.
func (f *Flow) observe(o Observation, now time.Time) Measurements {
	f.outcomes[o.Outcome]++
	f.total.Add(o.Verdict)
	f.window.Add(now, o.Verdict)
	f.sinceMark.Add(o.Verdict)
	if o.PrimaryDuration > 0 {
		f.primaryLatency.Observe(o.PrimaryDuration)
	}
	if o.ShadowDuration > 0 {
		f.shadowLatency.Observe(o.ShadowDuration)
	}
	m := Measurements{
		Base:       f.Measurement(AttrKey{}),
		Comparison: f.Measurement(AttrKey{Outcome: o.Outcome, Reason: o.Reason}),
		Primary:    f.Measurement(AttrKey{Role: backends.RolePrimary}),
		Shadow:     f.Measurement(AttrKey{Role: backends.RoleShadow}),
	}
	if o.Recheck != "" {
		f.rechecks[o.Recheck]++
		m.Recheck = f.Measurement(AttrKey{Recheck: o.Recheck})
	}
	if o.Mismatch {
		var seen [len(m.kinds)]bool
		for _, d := range o.Result.Diffs {
			if i := kindIndex(d.Kind); !seen[i] {
				seen[i] = true
				m.kinds[m.nkinds] = f.Measurement(AttrKey{Kind: Kind(d.Kind)})
				m.nkinds++
			}
		}
		m.Fields = f.fieldMeasurements(o.Result.Diffs)
	}
	return m
}

// fieldMeasurements returns one attribute set per distinct field label of
// diffs: the index-free field, or "other" once maxFields fields have their
// own. The route's mutex must be held.
func (f *Flow) fieldMeasurements(diffs []comparator.Diff) []*Attrs {
	var labels []string
	for _, d := range diffs {
		field := label.Clip(d.FieldName())
		if !f.fields[field] {
			if len(f.fields) >= f.maxFields {
				field = backends.OverflowRoute
			} else {
				f.fields[field] = true
			}
		}
		if !slices.Contains(labels, field) {
			labels = append(labels, field)
		}
	}
	m := make([]*Attrs, len(labels))
	for i, l := range labels {
		m[i] = f.Measurement(AttrKey{Field: l})
	}
	return m
}

// Snapshot is a copy of a flow's state.
type Snapshot struct {
	Route string
	Dir   Direction
	// Events counts the flow's events, Outcomes them by outcome label and
	// Rechecks the re-checks by result label.
	Events                        uint64
	Outcomes                      map[string]uint64
	Rechecks                      map[string]uint64
	PrimaryLatency, ShadowLatency report.LatencySummary
	// The readiness counts: since the start, over the window, since the mark.
	Total, Window, SinceMark verdict.Counts
	Signatures               []report.SignatureReport
	EvictedSignatures        uint64
	EvictedMismatches        uint64
}

// snapshot copies f's state. The route's mutex must be held; the statistics
// are computed from the copy after it is released.
func (f *Flow) snapshot(now time.Time) Snapshot {
	s := Snapshot{
		Route:             f.route,
		Dir:               f.dir,
		Outcomes:          maps.Clone(f.outcomes),
		Rechecks:          maps.Clone(f.rechecks),
		PrimaryLatency:    f.primaryLatency.Summary(),
		ShadowLatency:     f.shadowLatency.Summary(),
		Total:             f.total.Clone(),
		Window:            f.window.Sum(now),
		SinceMark:         f.sinceMark.Clone(),
		Signatures:        f.exemplars.Report(),
		EvictedSignatures: f.exemplars.EvictedSignatures,
		EvictedMismatches: f.exemplars.EvictedMismatches,
	}
	for _, n := range f.outcomes {
		s.Events += n
	}
	return s
}
