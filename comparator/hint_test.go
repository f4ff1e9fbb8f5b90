package comparator_test

import (
	"strings"
	"testing"

	"github.com/shadowread/shadowread/comparator"
)

// TestStatusHints: a resource missing in the shadow is data loss; other
// status changes are left to a person.
func TestStatusHints(t *testing.T) {
	tests := []struct {
		name            string
		primary, shadow int
		triage          comparator.Triage
		reason          string
	}{
		{"missing in the shadow", 200, 404, comparator.TriageDataLoss, "the entity was never copied, or was deleted there"},
		{"gone in the shadow", 200, 410, comparator.TriageDataLoss, "the same, said with 410"},
		{"extra in the shadow", 404, 200, comparator.TriageNone, "the shadow has what the primary lacks: a person has to look"},
		{"an error", 200, 400, comparator.TriageNone, "a request the shadow refuses says nothing about the data"},
	}
	c := comparator.JSON(comparator.PostgresDynamoDB())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := c.Compare(comparator.Response{Status: tt.primary}, comparator.Response{Status: tt.shadow})
			if len(res.Diffs) != 1 || res.Diffs[0].Kind != comparator.StatusChanged {
				t.Fatalf("diffs %v, want one status change", res.Diffs)
			}
			if got := res.Diffs[0].Hint.Triage; got != tt.triage {
				t.Errorf("%d against %d: triage %q, want %q (%s)", tt.primary, tt.shadow, got, tt.triage, tt.reason)
			}
		})
	}
}

func TestHints(t *testing.T) {
	const (
		rep  = comparator.TriageRepresentation
		loss = comparator.TriageDataLoss
		none = comparator.TriageNone
	)
	tests := []struct {
		name            string
		primary, shadow string
		opts            []comparator.Option
		triage          comparator.Triage
		option          string // the Option of every diff's hint
		reason          string
	}{
		// Representation: an option would absorb it.
		{name: "float64 arithmetic", primary: `{"total":0.3}`, shadow: `{"total":0.30000000000000004}`,
			triage: rep, option: "FloatTolerance(0, 1e-9)", reason: "equal within a relative 1e-9, below the last digit written"},
		{name: "numeric string", primary: `{"price":"12.50"}`, shadow: `{"price":12.5}`,
			triage: rep, option: "NumericStrings()", reason: "a string holding the same number"},
		{name: "same instant in another zone", primary: `{"at":"2024-05-01T10:00:00Z"}`, shadow: `{"at":"2024-05-01T12:00:00.000+02:00"}`,
			triage: rep, option: "TimePrecision(0)", reason: "the same instant, other offset and digits"},
		{name: "microseconds against milliseconds", primary: `{"at":"2024-05-01T10:00:00.123456Z"}`, shadow: `{"at":"2024-05-01T10:00:00.123Z"}`,
			triage: rep, option: "TimePrecision(time.Millisecond)", reason: "equal at the coarser precision, truncated"},
		{name: "rounded to milliseconds", primary: `{"at":"2024-05-01T10:00:00.123999Z"}`, shadow: `{"at":"2024-05-01T10:00:00.124Z"}`,
			triage: rep, option: "TimePrecision(time.Millisecond)", reason: "equal at the coarser precision, rounded"},
		{name: "null against missing", primary: `{"id":1,"note":null}`, shadow: `{"id":1}`,
			triage: rep, option: "NullEqualsMissing()", reason: "a NULL column against an absent attribute"},
		{name: "extra null", primary: `{"id":1}`, shadow: `{"id":1,"note":null}`,
			triage: rep, option: "NullEqualsMissing()", reason: "either side"},
		{name: "empty array against missing", primary: `{"tags":[]}`, shadow: `{}`,
			triage: rep, option: "EmptyEqualsMissing()", reason: "an empty list against an absent attribute"},
		{name: "empty object against missing", primary: `{}`, shadow: `{"attrs":{}}`,
			triage: rep, option: "EmptyEqualsMissing()", reason: "empty objects too"},
		{name: "null against empty array", primary: `{"tags":[]}`, shadow: `{"tags":null}`,
			triage: rep, option: "Options{NullEqualsMissing(), EmptyEqualsMissing()}", reason: "both rules make them equal"},
		{name: "values in another order", primary: `{"tags":["a","b","c"]}`, shadow: `{"tags":["c","a","b"]}`,
			triage: rep, option: `UnorderedPaths("tags")`, reason: "the same multiset"},
		{name: "entities in another order", primary: `{"orders":[{"id":1},{"id":2}]}`, shadow: `{"orders":[{"id":2},{"id":1}]}`,
			triage: rep, option: `KeyedArrays("orders", "id")`, reason: "objects with distinct ids are better matched by id"},
		{name: "nested array in another order", primary: `{"items":[{"tags":["a","b"]}]}`, shadow: `{"items":[{"tags":["b","a"]}]}`,
			triage: rep, option: `UnorderedPaths("items[*].tags")`, reason: "the option names every such array"},
		{name: "float with trailing zeros", primary: `{"x":100.0}`, shadow: `{"x":100.0000000001}`,
			triage: rep, option: "FloatTolerance(0, 1e-9)", reason: "the unit is that of the digits written, trailing zeros included"},

		// Data loss: no option should hide it.
		{name: "float32 price", primary: `{"price":19.99}`, shadow: `{"price":19.989999771118164}`,
			triage: loss, reason: "the primary's value rounded to float32"},
		{name: "identifier through float64", primary: `{"id":1234567890123456789}`, shadow: `{"id":1234567890123456800}`,
			triage: loss, reason: "an integer rounded to float64's digits"},
		{name: "timestamp truncated to seconds", primary: `{"at":"2024-05-01T10:00:00.123456Z"}`, shadow: `{"at":"2024-05-01T10:00:00Z"}`,
			triage: loss, reason: "the fraction of a second is gone"},
		{name: "string cut", primary: `{"name":"Hedge trimmer deluxe"}`, shadow: `{"name":"Hedge trim"}`,
			triage: loss, reason: "a prefix of the primary's string"},
		{name: "missing element by key", primary: `{"orders":[{"id":1},{"id":2}]}`, shadow: `{"orders":[{"id":2}]}`, opts: []comparator.Option{comparator.PostgresDynamoDB()},
			triage: loss, reason: "an entity the shadow does not have"},
		{name: "missing element by position", primary: `{"t":[1,2,3]}`, shadow: `{"t":[1,3]}`,
			triage: loss, reason: "the shadow is the primary with an element left out; the later ones moved up"},

		// Neither.
		{name: "a cent", primary: `{"balance":1234567890.12}`, shadow: `{"balance":1234567890.13}`,
			triage: none, reason: "within 1e-9 but a digit both write: a real change"},
		{name: "another value", primary: `{"status":"shipped"}`, shadow: `{"status":"pending"}`,
			triage: none, reason: "nothing suggests either"},
		{name: "emptied string", primary: `{"name":"Ann"}`, shadow: `{"name":""}`,
			triage: none, reason: "an empty string is no cut prefix"},
		{name: "a second apart", primary: `{"at":"2024-05-01T10:00:00Z"}`, shadow: `{"at":"2024-05-01T10:00:01Z"}`,
			triage: none, reason: "another instant at the same precision"},
		{name: "other number in a string", primary: `{"price":"12.50"}`, shadow: `{"price":12.6}`,
			triage: none, reason: "NumericStrings would not make them equal"},
		{name: "other elements", primary: `{"tags":["a","b"]}`, shadow: `{"tags":["b","c"]}`,
			triage: none, reason: "not the same multiset, nothing left out"},
		{name: "missing member", primary: `{"id":1,"name":"a"}`, shadow: `{"id":1}`,
			triage: none, reason: "a member with a value is no representation; only elements count as lost"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := comparator.JSON(tt.opts...).Compare(ok(tt.primary), ok(tt.shadow))
			if res.Equal || len(res.Diffs) == 0 {
				t.Fatalf("Equal = %v with %d diffs: a hint must never absorb a difference (%s)", res.Equal, len(res.Diffs), tt.reason)
			}
			for _, d := range res.Diffs {
				if d.Hint.Triage != tt.triage || d.Hint.Option != tt.option {
					t.Errorf("%s: hint %+v, want triage %q option %q (%s)", d.Path, d.Hint, tt.triage, tt.option, tt.reason)
				}
				if (d.Hint.Note == "") != (tt.triage == none) {
					t.Errorf("%s: note %q: a triaged difference says why, an untriaged one nothing (%s)", d.Path, d.Hint.Note, tt.reason)
				}
			}
		})
	}
}

// TestHintsSeeRawValues checks that hints are made from the values, not
// from their redacted descriptions, and that they do not show the values.
func TestHintsSeeRawValues(t *testing.T) {
	res := comparator.JSON().Compare(ok(`{"token":"tok_live_5ecr3t_abcdef"}`), ok(`{"token":"tok_live_5ecr3t"}`))
	d := res.Diffs[0]
	if d.Hint.Triage != comparator.TriageDataLoss {
		t.Fatalf("hint %+v, want data loss for a cut string", d.Hint)
	}
	if strings.Contains(d.Primary+d.Shadow+d.Hint.Note+d.Hint.Option, "5ecr3t") {
		t.Errorf("diff %+v shows the value", d)
	}
}
