package comparator_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"slices"
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
		{"extra in the shadow", 404, 200, comparator.TriageUnknown, "the shadow has what the primary lacks: a person has to look"},
		{"an error", 200, 400, comparator.TriageUnknown, "a request the shadow refuses says nothing about the data"},
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
		rep     = comparator.TriageRepresentation
		loss    = comparator.TriageDataLoss
		unknown = comparator.TriageUnknown
	)
	keyed := []comparator.Option{comparator.KeyedArrays("orders", "id")}
	tests := []struct {
		name            string
		primary, shadow string
		opts            []comparator.Option
		triage          comparator.Triage
		option          string // the Option of every diff's hint
		note            string // what every diff's note contains
		reason          string
	}{
		// Representation: an option would absorb it.
		{name: "float64 arithmetic", primary: `{"total":0.3}`, shadow: `{"total":0.30000000000000004}`,
			triage: rep, option: "FloatTolerance(0, 1e-12)", reason: "float64 noise: one unit in the last place, written with 17 digits"},
		{name: "float64 arithmetic in the primary", primary: `{"total":0.30000000000000004}`, shadow: `{"total":0.3}`,
			triage: rep, option: "FloatTolerance(0, 1e-12)", reason: "noise is noise on either side"},
		{name: "float64 sum", primary: `{"total":100.0}`, shadow: `{"total":99.9999999999986}`,
			triage: rep, option: "FloatTolerance(0, 1e-12)", reason: "0.1 added a thousand times: within 1e-12, written with float64's digits"},
		{name: "numeric string", primary: `{"price":"12.50"}`, shadow: `{"price":12.5}`,
			triage: rep, option: "NumericStrings()", reason: "a string holding the same number"},
		{name: "same instant in another zone", primary: `{"at":"2024-05-01T10:00:00Z"}`, shadow: `{"at":"2024-05-01T12:00:00.000+02:00"}`,
			triage: rep, option: "TimePrecision(0)", reason: "the same instant, other offset and digits"},
		{name: "same instant, one hour on the clock", primary: `{"at":"2026-03-01T10:00:00Z"}`, shadow: `{"at":"2026-03-01T11:00:00+01:00"}`,
			triage: rep, option: "TimePrecision(0)", reason: "the clock reads another hour, the instant is the same: no time zone lost"},
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

		// Data loss: no option should hide it.
		{name: "rounded to cents", primary: `{"amount":1234567.8912}`, shadow: `{"amount":1234567.89}`,
			triage: loss, note: "rounded to 2 decimals", reason: "four decimals rounded to two, though within a relative 1e-9: a tolerance would hide it"},
		{name: "truncated to cents", primary: `{"amount":1234567.8999}`, shadow: `{"amount":1234567.89}`,
			triage: loss, note: "rounded to 2 decimals", reason: "cut rather than rounded: as lost"},
		{name: "primary rounded to cents", primary: `{"amount":1234567.89}`, shadow: `{"amount":1234567.8912}`,
			triage: loss, note: "the primary's number", reason: "either side may be the one that lost digits (reverse shadowing)"},
		{name: "rounded to an integer", primary: `{"price":19.99}`, shadow: `{"price":20}`,
			triage: loss, note: "rounded to 0 decimals", reason: "the cents are gone"},
		{name: "float with trailing zeros", primary: `{"x":100.0}`, shadow: `{"x":100.0000000001}`,
			triage: loss, note: "rounded to 1 decimal", reason: "13 digits are no float64 noise: the primary keeps one decimal of ten"},
		{name: "float32 price", primary: `{"price":19.99}`, shadow: `{"price":19.989999771118164}`,
			triage: loss, reason: "the primary's value rounded to float32"},
		{name: "identifier through float64", primary: `{"id":1234567890123456789}`, shadow: `{"id":1234567890123456800}`,
			triage: loss, reason: "an integer rounded to float64's digits"},
		{name: "timestamp truncated to seconds", primary: `{"at":"2024-05-01T10:00:00.123456Z"}`, shadow: `{"at":"2024-05-01T10:00:00Z"}`,
			triage: loss, reason: "the fraction of a second is gone"},
		{name: "an hour later", primary: `{"at":"2026-03-01T10:00:00Z"}`, shadow: `{"at":"2026-03-01T11:00:00Z"}`,
			triage: loss, note: "time zone", reason: "whole hours apart: a wall-clock time read in another zone"},
		{name: "same clock, another offset", primary: `{"at":"2026-03-01T10:00:00Z"}`, shadow: `{"at":"2026-03-01T10:00:00+01:00"}`,
			triage: loss, note: "time zone", reason: "the offset changed the instant by an hour"},
		{name: "same clock, half-hour offset", primary: `{"at":"2026-03-01T10:00:00+05:30"}`, shadow: `{"at":"2026-03-01T10:00:00Z"}`,
			triage: loss, note: "time zone", reason: "the wall-clock time kept, its zone lost"},
		{name: "string cut", primary: `{"name":"Hedge trimmer deluxe"}`, shadow: `{"name":"Hedge trim"}`,
			triage: loss, reason: "a prefix of the primary's string"},
		{name: "missing element by key", primary: `{"orders":[{"id":1},{"id":2}]}`, shadow: `{"orders":[{"id":2}]}`, opts: []comparator.Option{comparator.PostgresDynamoDB()},
			triage: loss, reason: "an entity the shadow does not have"},
		{name: "missing element by position", primary: `{"t":[1,2,3]}`, shadow: `{"t":[1,3]}`,
			triage: loss, reason: "the shadow is the primary with an element left out; the later ones moved up"},
		{name: "missing member", primary: `{"id":1,"name":"a"}`, shadow: `{"id":1}`,
			triage: loss, reason: "a value left out"},
		{name: "extra member", primary: `{"id":1}`, shadow: `{"id":1,"name":"a"}`,
			triage: loss, reason: "the primary left out a value: either direction"},
		{name: "emptied string", primary: `{"name":"Ann"}`, shadow: `{"name":""}`,
			triage: loss, reason: "a value replaced by an empty string"},
		{name: "string emptied in the primary", primary: `{"name":""}`, shadow: `{"name":"Ann"}`,
			triage: loss, reason: "either direction"},
		{name: "value replaced by null", primary: `{"price":12.5}`, shadow: `{"price":null}`,
			triage: loss, reason: "null where there was content"},
		{name: "null in the primary", primary: `{"price":null}`, shadow: `{"price":12.5}`,
			triage: loss, reason: "either direction"},
		{name: "object emptied", primary: `{"a":{"x":1}}`, shadow: `{"a":{}}`,
			triage: loss, reason: "its member is left out"},
		{name: "object emptied in the primary", primary: `{"a":{}}`, shadow: `{"a":{"x":1}}`,
			triage: loss, reason: "either direction"},
		{name: "array emptied", primary: `{"t":[1,2]}`, shadow: `{"t":[]}`,
			triage: loss, reason: "every element left out"},
		{name: "array emptied in the primary", primary: `{"t":[]}`, shadow: `{"t":[1,2]}`,
			triage: loss, note: "the primary's array is empty", reason: "either direction"},
		{name: "keyed array emptied", primary: `{"orders":[{"id":1},{"id":2}]}`, shadow: `{"orders":[]}`, opts: keyed,
			triage: loss, reason: "every entity left out"},
		{name: "keyed array emptied in the primary", primary: `{"orders":[]}`, shadow: `{"orders":[{"id":1},{"id":2}]}`, opts: keyed,
			triage: loss, note: "the primary's array is empty", reason: "either direction, and not balanced: nothing is missing"},
		{name: "list against absent under the preset", primary: `{"tags":["a"]}`, shadow: `{"tags":[]}`, opts: []comparator.Option{comparator.PostgresDynamoDB()},
			triage: loss, reason: "EmptyEqualsMissing makes [] absent; a list with content against absent is lost"},
		{name: "value replaced by an empty array", primary: `{"v":"x"}`, shadow: `{"v":[]}`,
			triage: loss, reason: "of another type, and without content"},
		{name: "document replaced by null", primary: `{"a":1}`, shadow: `null`,
			triage: loss, reason: "at the root too"},

		// Unknown: a person has to look.
		{name: "a cent", primary: `{"balance":1234567890.12}`, shadow: `{"balance":1234567890.13}`,
			triage: unknown, reason: "within 1e-9 but a digit both write: a real change"},
		{name: "another value", primary: `{"status":"shipped"}`, shadow: `{"status":"pending"}`,
			triage: unknown, reason: "nothing suggests either"},
		{name: "a second apart", primary: `{"at":"2024-05-01T10:00:00Z"}`, shadow: `{"at":"2024-05-01T10:00:01Z"}`,
			triage: unknown, reason: "another instant at the same precision"},
		{name: "two days apart", primary: `{"at":"2026-03-01T10:00:00Z"}`, shadow: `{"at":"2026-03-03T10:00:00Z"}`,
			triage: unknown, reason: "whole hours, but more than any two zone offsets are apart"},
		{name: "other number in a string", primary: `{"price":"12.50"}`, shadow: `{"price":12.6}`,
			triage: unknown, reason: "NumericStrings would not make them equal"},
		{name: "other elements", primary: `{"tags":["a","b"]}`, shadow: `{"tags":["b","c"]}`,
			triage: unknown, reason: "not the same multiset, nothing left out"},
		{name: "empty string against missing", primary: `{"name":""}`, shadow: `{}`,
			triage: unknown, note: "no option absorbs it", reason: "no content on either side, but no option makes them equal"},
		{name: "page boundary", primary: `{"orders":[{"id":1},{"id":2}]}`, shadow: `{"orders":[{"id":2},{"id":3}]}`, opts: keyed,
			triage: unknown, note: "ordering or page boundary", reason: "one missing and one extra: a page cut elsewhere looks the same"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := comparator.JSON(tt.opts...).Compare(ok(tt.primary), ok(tt.shadow))
			if res.Equal || len(res.Diffs) == 0 {
				t.Fatalf("Equal = %v with %d diffs: a hint must never absorb a difference (%s)", res.Equal, len(res.Diffs), tt.reason)
			}
			for _, d := range res.Diffs {
				if d.Hint.Triage != tt.triage || d.Hint.Option != tt.option || !strings.Contains(d.Hint.Note, tt.note) {
					t.Errorf("%s: hint %+v, want triage %q option %q note with %q (%s)", d.Path, d.Hint, tt.triage, tt.option, tt.note, tt.reason)
				}
				if tt.triage != unknown && d.Hint.Note == "" {
					t.Errorf("%s: no note: a triaged difference says why (%s)", d.Path, tt.reason)
				}
			}
		})
	}
}

// TestKeyedBalance: the missing and extra elements of one array matched by
// key are left unknown only when they balance in that array, and only when
// the result holds all of them.
func TestKeyedBalance(t *testing.T) {
	keyed := comparator.KeyedArrays("**", "id")
	tests := []struct {
		name            string
		primary, shadow string
		opts            []comparator.Option
		want            map[string]comparator.Triage // by path
		reason          string
	}{
		{name: "two for two", primary: `{"orders":[{"id":1},{"id":2},{"id":3}]}`, shadow: `{"orders":[{"id":3},{"id":4},{"id":5}]}`,
			want:   map[string]comparator.Triage{"orders[id=1]": "unknown", "orders[id=2]": "unknown", "orders[id=4]": "unknown", "orders[id=5]": "unknown"},
			reason: "the next page's first two against this page's first two"},
		{name: "unbalanced", primary: `{"orders":[{"id":1},{"id":2},{"id":3}]}`, shadow: `{"orders":[{"id":3},{"id":4}]}`,
			want:   map[string]comparator.Triage{"orders[id=1]": "data_loss", "orders[id=2]": "data_loss", "orders[id=4]": "unknown"},
			reason: "more missing than extra: entities are lost"},
		{name: "balanced across two arrays", primary: `{"a":[{"id":1},{"id":2}],"b":[{"id":5},{"id":6}]}`, shadow: `{"a":[{"id":1},{"id":2},{"id":3}],"b":[{"id":5}]}`,
			want:   map[string]comparator.Triage{"a[id=3]": "unknown", "b[id=6]": "data_loss"},
			reason: "one extra in one array does not balance one missing in another"},
		{name: "inside an array with an element left out", primary: `[{"o":[{"id":1}]},{"o":[{"id":2}]}]`, shadow: `[{"o":[{"id":2}]}]`,
			want:   map[string]comparator.Triage{"[0].o[id=1]": "data_loss", "[0].o[id=2]": "data_loss", "[1]": "data_loss"},
			reason: "the outer array lost an element and the rest moved up: balance inside it explains nothing"},
		{name: "truncated", primary: `{"orders":[{"id":1},{"id":2}]}`, shadow: `{"orders":[{"id":2},{"id":3}]}`, opts: []comparator.Option{comparator.MaxDiffs(1)},
			want:   map[string]comparator.Triage{"orders[id=1]": "data_loss"},
			reason: "a result that lost differences cannot tell balance"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := comparator.JSON(append([]comparator.Option{keyed}, tt.opts...)...).Compare(ok(tt.primary), ok(tt.shadow))
			got := map[string]comparator.Triage{}
			for _, d := range res.Diffs {
				got[d.Path] = d.Hint.Triage
				if d.Hint.Triage == comparator.TriageUnknown && d.Kind == comparator.MissingInShadow && !strings.Contains(d.Hint.Note, "page boundary") {
					t.Errorf("%s: note %q, want the page boundary named", d.Path, d.Hint.Note)
				}
			}
			if !maps.Equal(got, tt.want) {
				t.Errorf("triage %v, want %v (%s)", got, tt.want, tt.reason)
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

// TestEveryDiffIsTriaged compares many random pairs of documents, one a
// mutation of the other, with comparators of different options: every
// difference leaves the comparator with a triage.
func TestEveryDiffIsTriaged(t *testing.T) {
	comparators := []comparator.Comparator{
		comparator.JSON(),
		comparator.JSON(comparator.PostgresDynamoDB()),
		comparator.JSON(comparator.ShowValues(), comparator.UnorderedPaths("**"), comparator.NumericStrings()),
		comparator.JSON(comparator.KeyedArrays("**", "id"), comparator.MaxDiffs(3), comparator.CompareHeaders()),
	}
	valid := map[comparator.Triage]bool{comparator.TriageRepresentation: true, comparator.TriageDataLoss: true, comparator.TriageUnknown: true}
	rng := rand.New(rand.NewPCG(18, 1))
	statuses := []int{200, 200, 200, 201, 302, 404}
	diffs := 0
	for range 2000 {
		doc := randomValue(rng, 3)
		primary, shadow := randomResponse(rng, statuses, doc), randomResponse(rng, statuses, mutate(rng, doc))
		for i, c := range comparators {
			for _, d := range c.Compare(primary, shadow).Diffs {
				diffs++
				if !valid[d.Hint.Triage] || d.Field == "" {
					t.Fatalf("comparator %d: %s against %s: diff %+v has no triage or field", i, primary.Body, shadow.Body, d)
				}
			}
		}
	}
	if diffs < 1000 {
		t.Fatalf("only %d diffs: the pairs do not differ enough to test anything", diffs)
	}
}

func randomResponse(rng *rand.Rand, statuses []int, v any) comparator.Response {
	body, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	r := comparator.Response{Status: statuses[rng.IntN(len(statuses))], Body: body, Header: http.Header{}}
	if rng.IntN(2) == 0 {
		r.Header.Set("Location", fmt.Sprintf("/orders/%d?page=%d", rng.IntN(3), rng.IntN(2)))
	}
	return r
}

// randomValue returns a random JSON value (numbers as json.Number, so that
// their spelling survives) nested at most depth levels.
func randomValue(rng *rand.Rand, depth int) any {
	scalars := []func() any{
		func() any { return nil },
		func() any { return "" },
		func() any { return []string{"shipped", "pending", "Hedge trimmer"}[rng.IntN(3)] },
		func() any {
			return json.Number([]string{"12.5", "12.50", "0.3", "1234567.8912", "1234567.89", "7", "19.99"}[rng.IntN(7)])
		},
		func() any {
			return []string{"2026-03-01T10:00:00Z", "2026-03-01T11:00:00+01:00", "2026-03-01T10:00:00.123456Z"}[rng.IntN(3)]
		},
		func() any { return rng.IntN(2) == 0 },
	}
	if depth == 0 || rng.IntN(3) == 0 {
		return scalars[rng.IntN(len(scalars))]()
	}
	n := rng.IntN(4)
	if rng.IntN(2) == 0 {
		a := make([]any, n)
		for i := range a {
			if rng.IntN(2) == 0 {
				a[i] = map[string]any{"id": json.Number(fmt.Sprint(rng.IntN(6))), "v": randomValue(rng, depth-1)}
			} else {
				a[i] = randomValue(rng, depth-1)
			}
		}
		return a
	}
	m := map[string]any{}
	for i := range n {
		m[fmt.Sprintf("k%d", i)] = randomValue(rng, depth-1)
	}
	return m
}

// mutate returns v with random changes: values replaced, emptied, left out,
// arrays reordered or cut.
func mutate(rng *rand.Rand, v any) any {
	if rng.IntN(4) == 0 {
		return randomValue(rng, 2)
	}
	switch v := v.(type) {
	case []any:
		out := slices.Clone(v)
		rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
		if len(out) > 0 && rng.IntN(3) == 0 {
			out = out[1:]
		}
		for i := range out {
			out[i] = mutate(rng, out[i])
		}
		return out
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			if rng.IntN(5) != 0 {
				out[k] = mutate(rng, x)
			}
		}
		return out
	}
	return v
}
