package comparator

// Kind classifies one difference between a primary and a shadow response.
type Kind string

const (
	// MissingInShadow: the primary has a value at the path, the shadow none.
	MissingInShadow Kind = "missing_in_shadow"
	// ExtraInShadow: the shadow has a value at the path, the primary none.
	ExtraInShadow Kind = "extra_in_shadow"
	// ValueChanged: both have a value of the same JSON type, but different.
	ValueChanged Kind = "value_changed"
	// TypeChanged: both have a value, of different JSON types ("1" vs 1).
	TypeChanged Kind = "type_changed"
	// StatusChanged: the HTTP status codes differ.
	StatusChanged Kind = "status_changed"
)

// Diff is one difference. Path names the place in the JSON document
// (`items[3].price`, or `orders[id=17].status` in an array matched by key;
// member names that are data are redacted, see "Data in paths" in the
// package documentation), `$status` for the status code, `$header.Name`
// for a header and `$body` for a body compared as bytes. Primary and Shadow
// describe the two values, redacted unless values were opted in; the side
// that has no value (of a missing or extra one) is empty.
type Diff struct {
	Path string
	// Field is Path without element positions (`orders[].status` for
	// `orders[3].status` and `orders[id=17].status`): the same for every
	// element, so one data problem is one field, whatever the position.
	// Signatures, span events and reports group by it. The comparators of
	// this package always set it; it equals Path where Path has no
	// element steps.
	Field   string
	Kind    Kind
	Primary string
	Shadow  string
	// Hint triages the difference from the raw values, which Primary and
	// Shadow may no longer show: a representation difference that a
	// comparator option would absorb, a likely loss of data, or unknown.
	// The comparators of this package always set its Triage. It is a hint
	// for people; nothing is absorbed automatically.
	Hint Hint
}

// FieldName returns the index-free name of the difference: Field, or Path
// when Field is empty (a Diff built by hand). It is the name that counts,
// spans and noise learning group differences by.
func (d Diff) FieldName() string {
	if d.Field != "" {
		return d.Field
	}
	return d.Path
}

// Triage classifies what a difference looks like. Every [Diff] the
// comparators of this package return has one of TriageRepresentation,
// TriageDataLoss and TriageUnknown; triage never advises hiding a
// difference that loses data.
type Triage string

const (
	// TriageNone is the zero Triage. No Diff of this package's comparators
	// carries it; it stands for a summary of several differences that
	// share no class (telemetry's triage of a signature).
	TriageNone Triage = ""
	// TriageUnknown: nothing in the values suggests either class, or they
	// suggest both (elements missing and as many extra in a list matched
	// by key may be a page boundary as much as lost data). A person has to
	// look.
	TriageUnknown Triage = "unknown"
	// TriageRepresentation: the two values say the same thing in another
	// form (12.50 and 12.5, float64 noise such as 0.30000000000000004, a
	// timestamp at a finer precision or the same instant in another
	// offset, null and a missing member, the same elements in another
	// order). [Hint.Option] names the option that would absorb it.
	TriageRepresentation Triage = "representation"
	// TriageDataLoss: one side's value looks like the other's with
	// information lost (a number rounded to fewer decimals or to float32, a
	// truncated timestamp or string, a timestamp shifted by whole hours, a
	// value replaced by null, "", [], {} or left out, a missing element).
	// No option should hide it.
	TriageDataLoss Triage = "data_loss"
)

// Hint is the triage of one difference.
type Hint struct {
	Triage Triage
	// Option names the comparator option that would absorb a
	// representation difference, as Go code (`FloatTolerance(0, 1e-12)`).
	Option string
	// Note says in a few words what the values suggest.
	Note string
}

// String renders the difference on one line, for logs and golden files:
// `path: kind: primary -> shadow`, with only the side that exists for a
// missing or extra value.
func (d Diff) String() string {
	switch d.Kind {
	case MissingInShadow:
		return d.Path + ": " + string(d.Kind) + ": " + d.Primary
	case ExtraInShadow:
		return d.Path + ": " + string(d.Kind) + ": " + d.Shadow
	default:
		return d.Path + ": " + string(d.Kind) + ": " + d.Primary + " -> " + d.Shadow
	}
}

// Fallback says why two bodies were compared as bytes rather than as JSON.
type Fallback string

const (
	// FallbackNotJSON: a body is not a JSON document.
	FallbackNotJSON Fallback = "not_json"
	// FallbackInvalidUTF8: a body holds invalid UTF-8, raw or as a lone
	// UTF-16 surrogate escape; decoding would replace it and could hide a
	// difference.
	FallbackInvalidUTF8 Fallback = "invalid_utf8"
	// FallbackDuplicateKey: an object repeats a key, so JSON readers may
	// disagree about what the document says.
	FallbackDuplicateKey Fallback = "duplicate_key"
	// FallbackTooDeep: a body nests arrays and objects deeper than
	// [MaxDepth] levels.
	FallbackTooDeep Fallback = "too_deep"
	// FallbackTooLarge: a body is 2 GiB or more.
	FallbackTooLarge Fallback = "too_large"
)

// Result is the outcome of one comparison.
type Result struct {
	// Equal reports whether the responses match under the comparator's options.
	Equal bool
	// Diffs lists the differences found, at most the comparator's limit.
	Diffs []Diff
	// Truncated reports that more differences existed than Diffs holds.
	Truncated bool
	// Err is set when the comparison itself failed (for example a panic
	// inside an option); Equal is false then and Diffs may be empty.
	Err error
	// Fallback says why the bodies were compared as bytes instead of as
	// JSON. It is empty when they were compared as JSON, were identical, or
	// were not compared at all.
	Fallback Fallback
	// ValuesShown reports that Diffs hold the values themselves, not
	// redacted descriptions: the comparator was built with [ShowValues].
	// Telemetry then shows them in span events, log lines and the report,
	// as its WithDiffValues would.
	ValuesShown bool
}
