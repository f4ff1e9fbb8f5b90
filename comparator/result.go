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
// (`items[3].price`), `$status` for the status code, `$header.Name` for a
// header and `$body` for a body compared as bytes. Primary and Shadow
// describe the two values, redacted unless values were opted in.
type Diff struct {
	Path    string
	Kind    Kind
	Primary string
	Shadow  string
}

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
}
