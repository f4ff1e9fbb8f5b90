package comparator_test

import (
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/shadowread/shadowread/comparator"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// ok is a 200 response with a body.
func ok(body string) comparator.Response {
	return comparator.Response{Status: http.StatusOK, Body: []byte(body)}
}

// withStatus is a response with a status and a body.
func withStatus(status int, body string) comparator.Response {
	return comparator.Response{Status: status, Body: []byte(body)}
}

// withHeaders adds headers given as name, value pairs.
func withHeaders(r comparator.Response, kv ...string) comparator.Response {
	r.Header = http.Header{}
	for i := 0; i < len(kv); i += 2 {
		r.Header.Add(kv[i], kv[i+1])
	}
	return r
}

// nested returns depth arrays nested in each other, around "0".
func nested(depth int, space string) string {
	return strings.Repeat("["+space, depth) + "0" + strings.Repeat(space+"]", depth)
}

// manyChanges returns two arrays of n numbers that differ everywhere.
func manyChanges(n int) (string, string) {
	var a, b []string
	for i := range n {
		a = append(a, fmt.Sprint(i))
		b = append(b, fmt.Sprint(i+1000))
	}
	return "[" + strings.Join(a, ",") + "]", "[" + strings.Join(b, ",") + "]"
}

var (
	many5a, many5b   = manyChanges(5)
	many25a, many25b = manyChanges(25)
)

type compareCase struct {
	name          string
	primary       comparator.Response
	shadow        comparator.Response
	opts          []comparator.Option
	want          []string // "path kind" of each difference, in order; none: equal
	wantFallback  comparator.Fallback
	wantTruncated bool
	wantErr       error // errors.Is target; errAny for any error
	reason        string
}

var errAny = errors.New("any error")

func compareCases() []compareCase {
	lower := func(v any) any {
		if s, ok := v.(string); ok {
			return strings.ToLower(s)
		}
		return v
	}
	return []compareCase{
		// Status codes.
		{name: "identical bytes", primary: ok(`{"id":1}`), shadow: ok(`{"id":1}`),
			reason: "equal bytes match without decoding"},
		{name: "status changed", primary: ok(`{"id":1}`), shadow: withStatus(404, `{"error":"not found"}`),
			want:   []string{"$status status_changed"},
			reason: "different statuses are one difference; their bodies differ by nature and are not compared"},
		{name: "both 404 with different bodies", primary: withStatus(404, `pq: no rows in result set`), shadow: withStatus(404, `ResourceNotFoundException`),
			reason: "two responses with the same error status match: error bodies carry store-specific text"},
		{name: "both 404 with CompareErrorBodies", primary: withStatus(404, `pq: no rows in result set`), shadow: withStatus(404, `ResourceNotFoundException`),
			opts: []comparator.Option{comparator.CompareErrorBodies()}, want: []string{"$body value_changed"}, wantFallback: comparator.FallbackNotJSON,
			reason: "CompareErrorBodies compares bodies of equal non-2xx statuses too"},
		{name: "204 without bodies", primary: withStatus(204, ``), shadow: withStatus(204, ``),
			reason: "empty bodies are equal bytes"},

		// Decoded JSON.
		{name: "key order and whitespace", primary: ok(`{"id":1,"name":"a"}`), shadow: ok("{ \"name\": \"a\",\n \"id\": 1 }\n"),
			reason: "object members have no order and whitespace carries nothing"},
		{name: "number spelling", primary: ok(`[12.50, 1.25e1, 0, 100]`), shadow: ok(`[12.5, 125E-1, -0, 1e2]`),
			reason: "numbers are compared by decimal value, not by spelling"},
		{name: "escaped string", primary: ok(`{"name":"caf\u00e9 \/ \"x\""}`), shadow: ok(`{"name":"café / \"x\""}`),
			reason: "strings are compared after unescaping"},
		{name: "value changed", primary: ok(`{"id":1,"price":12.5}`), shadow: ok(`{"id":1,"price":12.51}`),
			want: []string{"price value_changed"}, reason: "a different number is a value change"},
		{name: "type changed", primary: ok(`{"id":1}`), shadow: ok(`{"id":"1"}`),
			want: []string{"id type_changed"}, reason: `"1" is a string, 1 a number`},
		{name: "null against value", primary: ok(`{"note":null}`), shadow: ok(`{"note":"x"}`),
			want: []string{"note type_changed"}, reason: "null is a type of its own"},
		{name: "missing in shadow", primary: ok(`{"id":1,"name":"a"}`), shadow: ok(`{"id":1}`),
			want: []string{"name missing_in_shadow"}, reason: "a member only the primary has"},
		{name: "extra in shadow", primary: ok(`{"id":1}`), shadow: ok(`{"id":1,"name":"a"}`),
			want: []string{"name extra_in_shadow"}, reason: "a member only the shadow has"},
		{name: "nested path", primary: ok(`{"items":[{"id":1,"price":1},{"id":2,"price":2}]}`), shadow: ok(`{"items":[{"id":1,"price":1},{"id":2,"price":3}]}`),
			want: []string{"items[1].price value_changed"}, reason: "paths name members and element indexes"},
		{name: "quoted key in path", primary: ok(`{"a.b":{"c d":1}}`), shadow: ok(`{"a.b":{"c d":2}}`),
			opts: []comparator.Option{comparator.ShowKeys("**")},
			want: []string{`["a.b"]["c d"] value_changed`}, reason: "names that the path syntax cannot write bare are quoted"},
		{name: "root type changed", primary: ok(`{"id":1}`), shadow: ok(`[{"id":1}]`),
			want: []string{"$ type_changed"}, reason: "the root is $"},
		{name: "array shorter in shadow", primary: ok(`[1,2,3]`), shadow: ok(`[1,2]`),
			want: []string{"[2] missing_in_shadow"}, reason: "elements are compared by position; the missing one is at the end"},
		{name: "array longer in shadow", primary: ok(`[1,2]`), shadow: ok(`[1,2,3]`),
			want: []string{"[2] extra_in_shadow"}, reason: "an extra element at the end"},
		{name: "array order matters", primary: ok(`{"tags":["a","b"]}`), shadow: ok(`{"tags":["b","a"]}`),
			want: []string{"tags[0] value_changed", "tags[1] value_changed"}, reason: "order is meaningful unless a path is declared unordered"},
		{name: "array of objects", primary: ok(`[{"id":1,"x":"a"},{"id":2}]`), shadow: ok(`[{"id":1,"x":"b"},{"id":2,"y":true}]`),
			want: []string{"[0].x value_changed", "[1].y extra_in_shadow"}, reason: "differences inside elements are reported member by member"},
		{name: "huge numbers equal", primary: ok(`[1e400, 123456789012345678901234567890, 1e-400]`), shadow: ok(`[10e399, 1.2345678901234567890123456789e29, 0.1e-399]`),
			reason: "numbers beyond float64 are compared exactly as decimals"},
		{name: "huge numbers differ", primary: ok(`[123456789012345678901234567890, 1e99999999999999999999]`), shadow: ok(`[123456789012345678901234567891, 1e99999999999999999998]`),
			want: []string{"[0] value_changed", "[1] value_changed"}, reason: "the last digit of a 30-digit number and exponents beyond int64 count"},

		// Bodies compared as bytes.
		{name: "not JSON equal", primary: ok(`<html>ok</html>`), shadow: ok(`<html>ok</html>`),
			reason: "equal bytes match whatever they are"},
		{name: "not JSON different", primary: ok(`<html>ok</html>`), shadow: ok(`<html>no</html>`),
			want: []string{"$body value_changed"}, wantFallback: comparator.FallbackNotJSON, reason: "bodies that are not JSON are compared as bytes"},
		{name: "one side not JSON", primary: ok(`{"id":1}`), shadow: ok(`{"id":1`),
			want: []string{"$body value_changed"}, wantFallback: comparator.FallbackNotJSON, reason: "a truncated document is compared as bytes"},
		{name: "invalid UTF-8", primary: ok("{\"name\":\"\xff\"}"), shadow: ok("{\"name\":\"\xfe\"}"),
			want: []string{"$body value_changed"}, wantFallback: comparator.FallbackInvalidUTF8, reason: "decoding would turn both into U+FFFD and hide the difference"},
		{name: "lone surrogates", primary: ok(`{"name":"\ud800"}`), shadow: ok(`{"name":"\udbff"}`),
			want: []string{"$body value_changed"}, wantFallback: comparator.FallbackInvalidUTF8, reason: "lone surrogate escapes name no character; decoding would make them equal"},
		{name: "duplicate keys", primary: ok(`{"id":1,"id":2}`), shadow: ok(`{"id":2}`),
			want: []string{"$body value_changed"}, wantFallback: comparator.FallbackDuplicateKey, reason: "readers disagree on a repeated key, so the document is judged by its bytes"},
		{name: "too deep", primary: ok(nested(comparator.MaxDepth+1, "")), shadow: ok(nested(comparator.MaxDepth+1, " ")),
			want: []string{"$body value_changed"}, wantFallback: comparator.FallbackTooDeep, reason: "nesting beyond MaxDepth is compared as bytes instead of recursing"},
		{name: "deep but within the cap", primary: ok(nested(comparator.MaxDepth, "")), shadow: ok(nested(comparator.MaxDepth, " ")),
			reason: "MaxDepth levels still decode"},

		// IgnorePaths.
		{name: "IgnorePaths top level", primary: ok(`{"id":1,"updated_at":"a"}`), shadow: ok(`{"id":1,"updated_at":"b"}`),
			opts: []comparator.Option{comparator.IgnorePaths("updated_at")}, reason: "an ignored member is left out on both sides"},
		{name: "IgnorePaths names one place only", primary: ok(`{"updated_at":"a","items":[{"updated_at":"a"}]}`), shadow: ok(`{"updated_at":"b","items":[{"updated_at":"b"}]}`),
			opts: []comparator.Option{comparator.IgnorePaths("updated_at")}, want: []string{"items[0].updated_at value_changed"}, reason: "a path starts at the root"},
		{name: "IgnorePaths every element", primary: ok(`{"items":[{"id":1,"updated_at":"a"},{"id":2,"updated_at":"a"}]}`), shadow: ok(`{"items":[{"id":1,"updated_at":"b"},{"id":3}]}`),
			opts: []comparator.Option{comparator.IgnorePaths("items[*].updated_at")}, want: []string{"items[1].id value_changed"}, reason: "[*] names every element; other differences still show"},
		{name: "IgnorePaths every member", primary: ok(`{"id":1,"meta":{"a":1,"b":2}}`), shadow: ok(`{"id":1,"meta":{"a":2,"c":3}}`),
			opts: []comparator.Option{comparator.IgnorePaths("meta.*")}, reason: "* names every member of an object"},
		{name: "IgnorePaths any depth", primary: ok(`{"trace_id":"a","x":{"trace_id":"a","y":[{"trace_id":"a"}]}}`), shadow: ok(`{"trace_id":"b","x":{"trace_id":"b","y":[{"trace_id":"b"}]}}`),
			opts: []comparator.Option{comparator.IgnorePaths("**.trace_id")}, reason: "** stands for any number of steps"},
		{name: "IgnorePaths quoted name", primary: ok(`{"a.b":1,"c":1}`), shadow: ok(`{"a.b":2,"c":1}`),
			opts: []comparator.Option{comparator.IgnorePaths(`["a.b"]`)}, reason: "quoted names in paths"},

		// UnorderedPaths.
		{name: "UnorderedPaths any order", primary: ok(`{"tags":["a","b","c"]}`), shadow: ok(`{"tags":["c","a","b"]}`),
			opts: []comparator.Option{comparator.UnorderedPaths("tags")}, reason: "an unordered array is a multiset"},
		{name: "UnorderedPaths counts repeats", primary: ok(`{"tags":["a","a","b"]}`), shadow: ok(`{"tags":["a","b","b"]}`),
			opts: []comparator.Option{comparator.UnorderedPaths("tags")}, want: []string{"tags[1] value_changed"}, reason: "a multiset counts each element"},
		{name: "UnorderedPaths objects", primary: ok(`{"items":[{"id":1,"p":1},{"id":2,"p":2},{"id":3,"p":3}]}`), shadow: ok(`{"items":[{"id":3,"p":3},{"id":2,"p":5},{"id":1,"p":1}]}`),
			opts: []comparator.Option{comparator.UnorderedPaths("items")}, want: []string{"items[1].p value_changed"}, reason: "unmatched elements are compared with each other, member by member, at the primary's index"},
		{name: "UnorderedPaths extra element", primary: ok(`{"tags":["a"]}`), shadow: ok(`{"tags":["b","a"]}`),
			opts: []comparator.Option{comparator.UnorderedPaths("tags")}, want: []string{"tags[1] extra_in_shadow"}, reason: "elements without a partner come after the primary's"},
		{name: "UnorderedPaths nested", primary: ok(`{"items":[{"tags":["a","b"]},{"tags":["c","d"]}]}`), shadow: ok(`{"items":[{"tags":["b","a"]},{"tags":["d","c"]}]}`),
			opts: []comparator.Option{comparator.UnorderedPaths("items[*].tags")}, reason: "paths with [*] name arrays inside elements"},

		// FloatTolerance.
		{name: "FloatTolerance absolute", primary: ok(`[1.0, 2.5]`), shadow: ok(`[1.05, 2.7]`),
			opts: []comparator.Option{comparator.FloatTolerance(0.1, 0)}, want: []string{"[1] value_changed"}, reason: "within 0.1 is equal, 0.2 apart is not"},
		{name: "FloatTolerance relative", primary: ok(`[1000.0, 1000.0]`), shadow: ok(`[1000.5, 1002.0]`),
			opts: []comparator.Option{comparator.FloatTolerance(0, 0.001)}, want: []string{"[1] value_changed"}, reason: "relative to the larger magnitude"},
		{name: "FloatTolerance leaves integers exact", primary: ok(`[100, 100.0]`), shadow: ok(`[101, 101]`),
			opts: []comparator.Option{comparator.FloatTolerance(5, 0)}, want: []string{"[0] value_changed"}, reason: "two integers are counts or identifiers: exact; 100.0 is a float"},

		// TimePrecision.
		{name: "TimePrecision digits and zones", primary: ok(`["2024-05-01T10:00:00.123456Z", "2024-05-01T10:00:00Z"]`), shadow: ok(`["2024-05-01T12:00:00.123+02:00", "2024-05-01T10:00:00.000Z"]`),
			opts: []comparator.Option{comparator.TimePrecision(time.Millisecond)}, reason: "the same instant within a millisecond, whatever the offset or digits"},
		{name: "TimePrecision a second apart", primary: ok(`{"at":"2024-05-01T10:00:00Z"}`), shadow: ok(`{"at":"2024-05-01T10:00:01Z"}`),
			opts: []comparator.Option{comparator.TimePrecision(time.Millisecond)}, want: []string{"at value_changed"}, reason: "beyond the precision"},
		{name: "TimePrecision zero", primary: ok(`["2024-05-01T10:00:00Z", "2024-05-01T10:00:00Z"]`), shadow: ok(`["2024-05-01T11:00:00+01:00", "2024-05-01T10:00:00.000001Z"]`),
			opts: []comparator.Option{comparator.TimePrecision(0)}, want: []string{"[1] value_changed"}, reason: "0 asks for the same instant"},
		{name: "timestamps are strings by default", primary: ok(`{"at":"2024-05-01T10:00:00Z"}`), shadow: ok(`{"at":"2024-05-01T10:00:00.000Z"}`),
			want: []string{"at value_changed"}, reason: "without TimePrecision timestamps are plain strings"},

		// NullEqualsMissing and EmptyEqualsMissing.
		{name: "NullEqualsMissing", primary: ok(`{"id":1,"note":null}`), shadow: ok(`{"id":1}`),
			opts: []comparator.Option{comparator.NullEqualsMissing()}, reason: "a null member counts as absent"},
		{name: "NullEqualsMissing keeps null elements", primary: ok(`[1,null]`), shadow: ok(`[1]`),
			opts: []comparator.Option{comparator.NullEqualsMissing()}, want: []string{"[1] missing_in_shadow"}, reason: "an element cannot be absent"},
		{name: "null is missing by default", primary: ok(`{"id":1,"note":null}`), shadow: ok(`{"id":1}`),
			want: []string{"note missing_in_shadow"}, reason: "without the option null is a value"},
		{name: "EmptyEqualsMissing", primary: ok(`{"tags":[],"attrs":{},"x":{"y":[]}}`), shadow: ok(`{}`),
			opts: []comparator.Option{comparator.EmptyEqualsMissing()}, reason: "empty arrays and objects count as absent, also once their own members are gone"},
		{name: "EmptyEqualsMissing keeps empty strings", primary: ok(`{"name":""}`), shadow: ok(`{}`),
			opts: []comparator.Option{comparator.EmptyEqualsMissing()}, want: []string{"name missing_in_shadow"}, reason: "an empty string is a value"},
		{name: "EmptyEqualsMissing alone keeps null", primary: ok(`{"tags":[]}`), shadow: ok(`{"tags":null}`),
			opts: []comparator.Option{comparator.EmptyEqualsMissing()}, want: []string{"tags extra_in_shadow"}, reason: "[] is absent, null is still a value"},
		{name: "empty and null both missing", primary: ok(`{"tags":[]}`), shadow: ok(`{"tags":null}`),
			opts: []comparator.Option{comparator.EmptyEqualsMissing(), comparator.NullEqualsMissing()}, reason: "[] and null and absent are all equal with both options"},

		// NumericStrings.
		{name: "NumericStrings", primary: ok(`{"price":"12.50"}`), shadow: ok(`{"price":12.5}`),
			opts: []comparator.Option{comparator.NumericStrings()}, reason: "a string holding a number equals that number"},
		{name: "NumericStrings changed value", primary: ok(`{"price":"12.50"}`), shadow: ok(`{"price":12.6}`),
			opts: []comparator.Option{comparator.NumericStrings()}, want: []string{"price value_changed"}, reason: "under the option both are numbers, so a value change"},
		{name: "NumericStrings not a number", primary: ok(`{"price":"12.5 EUR"}`), shadow: ok(`{"price":12.5}`),
			opts: []comparator.Option{comparator.NumericStrings()}, want: []string{"price type_changed"}, reason: "only exact JSON numbers count"},
		{name: "NumericStrings two strings", primary: ok(`{"zip":"0750"}`), shadow: ok(`{"zip":"750"}`),
			opts: []comparator.Option{comparator.NumericStrings()}, want: []string{"zip value_changed"}, reason: "two strings are compared as strings"},

		// Normalize.
		{name: "Normalize", primary: ok(`{"email":"Ann@Example.com","name":"Ann"}`), shadow: ok(`{"email":"ann@example.com","name":"ann"}`),
			opts: []comparator.Option{comparator.Normalize("email", lower)}, want: []string{"name value_changed"}, reason: "the function applies at its path only"},
		{name: "Normalize to a number", primary: ok(`{"price":"12.50 EUR"}`), shadow: ok(`{"price":12.5}`),
			opts: []comparator.Option{comparator.Normalize("price", func(v any) any {
				if s, ok := v.(string); ok {
					var f float64
					fmt.Sscan(strings.TrimSuffix(s, " EUR"), &f)
					return f
				}
				return v
			})}, reason: "a function may return a Go number"},
		{name: "Normalize whole objects", primary: ok(`{"items":[{"id":1,"secret":"a"}]}`), shadow: ok(`{"items":[{"id":1,"secret":"b"}]}`),
			opts: []comparator.Option{comparator.Normalize("items[*]", func(v any) any {
				if m, ok := v.(map[string]any); ok {
					delete(m, "secret")
				}
				return v
			})}, reason: "a function receives objects as map[string]any"},
		{name: "Normalize bad result", primary: ok(`{"a":1}`), shadow: ok(`{"a":2}`),
			opts: []comparator.Option{comparator.Normalize("a", func(any) any { return struct{}{} })}, wantErr: errAny,
			reason: "a result of a type JSON has not is an error, not a panic"},
		{name: "Normalize panics", primary: ok(`{"a":1}`), shadow: ok(`{"a":2}`),
			opts: []comparator.Option{comparator.Normalize("a", func(any) any { panic("boom") })}, wantErr: comparator.ErrPanic,
			reason: "a panic in a user function is recovered into Result.Err"},

		// WithCmpOptions.
		{name: "WithCmpOptions", primary: ok(`{"name":"Ann","id":1}`), shadow: ok(`{"name":"ANN","id":2}`),
			opts: []comparator.Option{comparator.WithCmpOptions(cmp.Comparer(strings.EqualFold))}, want: []string{"id value_changed"},
			reason: "go-cmp options see the decoded values and decide equality"},
		{name: "WithCmpOptions FilterPath", primary: ok(`{"a":{"b":1},"c":1}`), shadow: ok(`{"a":{"b":2},"c":2}`),
			opts: []comparator.Option{comparator.WithCmpOptions(cmp.FilterPath(func(p cmp.Path) bool {
				mi, ok := p.Last().(cmp.MapIndex)
				return ok && mi.Key().String() == "b"
			}, cmp.Ignore()))}, want: []string{"c value_changed"}, reason: "objects are map[string]any to go-cmp"},
		{name: "WithCmpOptions panics", primary: ok(`{"a":"x"}`), shadow: ok(`{"a":"y"}`),
			opts: []comparator.Option{comparator.WithCmpOptions(cmp.Comparer(func(a, b string) bool { panic("boom") }))}, wantErr: comparator.ErrPanic,
			reason: "go-cmp may panic; the panic becomes Result.Err"},

		// Headers.
		{name: "headers not compared by default", primary: withHeaders(ok(`{}`), "Content-Type", "application/json"), shadow: withHeaders(ok(`{}`), "Content-Type", "text/plain"),
			reason: "servers and proxies change headers, stores do not"},
		{name: "CompareHeaders named", primary: withHeaders(ok(`{}`), "Content-Type", "application/json", "X-A", "1"), shadow: withHeaders(ok(`{}`), "Content-Type", "text/plain", "X-A", "2"),
			opts: []comparator.Option{comparator.CompareHeaders("content-type")}, want: []string{"$header.Content-Type value_changed"}, reason: "only the named headers, canonicalised"},
		{name: "CompareHeaders all", primary: withHeaders(ok(`{}`), "Date", "Mon", "Content-Length", "2", "X-A", "1", "X-B", "1"), shadow: withHeaders(ok(`{}`), "Date", "Tue", "Content-Length", "3", "X-B", "1", "X-C", "1"),
			opts: []comparator.Option{comparator.CompareHeaders()}, want: []string{"$header.X-A missing_in_shadow", "$header.X-C extra_in_shadow"},
			reason: "every header but Date, Content-Length and the hop-by-hop ones"},
		{name: "IgnoreHeaders", primary: withHeaders(ok(`{}`), "X-Request-Id", "1", "X-A", "1"), shadow: withHeaders(ok(`{}`), "X-Request-Id", "2", "X-A", "1"),
			opts: []comparator.Option{comparator.CompareHeaders(), comparator.IgnoreHeaders("x-request-id")}, reason: "ignored headers win over CompareHeaders"},

		// Reporting.
		{name: "ShowValues", primary: ok(`{"name":"Ann","tags":["a"],"n":1.50,"o":{"k":true}}`), shadow: ok(`{"name":"Bob","tags":{},"n":2,"o":null}`),
			opts:   []comparator.Option{comparator.ShowValues()},
			want:   []string{"n value_changed", "name value_changed", "o type_changed", "tags type_changed"},
			reason: "values instead of redacted descriptions"},
		{name: "ShowValues for bytes and headers", primary: withHeaders(ok(`<p>a</p>`), "X-A", "1"), shadow: withHeaders(ok(`<p>b</p>`), "X-A", "2"),
			opts: []comparator.Option{comparator.ShowValues(), comparator.CompareHeaders("X-A")}, want: []string{"$header.X-A value_changed", "$body value_changed"}, wantFallback: comparator.FallbackNotJSON,
			reason: "headers come before the body"},
		{name: "MaxDiffs", primary: ok(many5a), shadow: ok(many5b), opts: []comparator.Option{comparator.MaxDiffs(2)},
			want: []string{"[0] value_changed", "[1] value_changed"}, wantTruncated: true, reason: "at most n differences, and the flag says there were more"},
		{name: "default diff limit", primary: ok(many25a), shadow: ok(many25b), wantTruncated: true,
			want:   indexed("[%d] value_changed", comparator.DefaultMaxDiffs),
			reason: "20 differences by default"},

		// Without, for each kind of option.
		{name: "Without IgnorePaths", primary: ok(`{"a":1,"b":1}`), shadow: ok(`{"a":2,"b":2}`),
			opts: []comparator.Option{comparator.IgnorePaths("a", "b"), comparator.Without(comparator.IgnorePaths("a"))}, want: []string{"a value_changed"},
			reason: "Without takes back the paths it names and no others"},
		{name: "Without UnorderedPaths", primary: ok(`{"t":[1,2]}`), shadow: ok(`{"t":[2,1]}`),
			opts: []comparator.Option{comparator.UnorderedPaths("t"), comparator.Without(comparator.UnorderedPaths("t"))}, want: []string{"t[0] value_changed", "t[1] value_changed"},
			reason: "the array is ordered again"},
		{name: "Without CompareHeaders", primary: withHeaders(ok(`{}`), "X-A", "1"), shadow: withHeaders(ok(`{}`), "X-A", "2"),
			opts: []comparator.Option{comparator.CompareHeaders("X-A"), comparator.Without(comparator.CompareHeaders("x-a"))}, reason: "names are canonicalised for Without too"},
		{name: "Without IgnoreHeaders", primary: withHeaders(ok(`{}`), "X-A", "1"), shadow: withHeaders(ok(`{}`), "X-A", "2"),
			opts: []comparator.Option{comparator.CompareHeaders(), comparator.IgnoreHeaders("X-A"), comparator.Without(comparator.IgnoreHeaders("X-A"))}, want: []string{"$header.X-A value_changed"},
			reason: "an ignored header taken back is compared again"},
		{name: "Without MaxDiffs", primary: ok(many5a), shadow: ok(many5b),
			opts: []comparator.Option{comparator.MaxDiffs(2), comparator.Without(comparator.MaxDiffs(2))}, want: indexed("[%d] value_changed", 5),
			reason: "the default limit again"},

		// UnorderedPaths with the rules that make values equal across spellings.
		{name: "UnorderedPaths with FloatTolerance", primary: ok(`{"a":[1.0,2.0,3]}`), shadow: ok(`{"a":[3,2.05,0.95]}`),
			opts: []comparator.Option{comparator.UnorderedPaths("a"), comparator.FloatTolerance(0.1, 0)}, reason: "numbers within the tolerance find each other in any order"},
		{name: "UnorderedPaths with TimePrecision", primary: ok(`{"a":["2024-05-01T10:00:00.123456Z","2024-05-01T11:00:00Z","x"]}`), shadow: ok(`{"a":["x","2024-05-01T11:00:00.000Z","2024-05-01T12:00:00.123+02:00"]}`),
			opts: []comparator.Option{comparator.UnorderedPaths("a"), comparator.TimePrecision(time.Millisecond)}, reason: "timestamps of other spellings find each other in any order"},
		{name: "UnorderedPaths with NumericStrings", primary: ok(`{"a":["1",2]}`), shadow: ok(`{"a":[2,1.0]}`),
			opts: []comparator.Option{comparator.UnorderedPaths("a"), comparator.NumericStrings()}, reason: "a numeric string finds its number"},
		{name: "UnorderedPaths nested", primary: ok(`{"o":[{"id":1,"t":["a","b"]},{"id":2,"t":["c"]}]}`), shadow: ok(`{"o":[{"id":2,"t":["c"]},{"t":["b","a"],"id":1}]}`),
			opts: []comparator.Option{comparator.UnorderedPaths("o", "o[*].t")}, reason: "unordered arrays inside unordered arrays"},
		{name: "ShowValues cut", primary: ok(`{"a":"` + strings.Repeat("x", 200) + `"}`), shadow: ok(`{"a":"` + strings.Repeat("y", 200) + `"}`),
			opts: []comparator.Option{comparator.ShowValues()}, want: []string{"a value_changed"}, reason: "long values are cut and say how long they were"},

		// The PostgreSQL/DynamoDB preset: what it absorbs.
		{name: "preset NUMERIC against Number", primary: ok(`{"price":12.50,"qty":3}`), shadow: ok(`{"price":12.5,"qty":3}`),
			opts: []comparator.Option{comparator.PostgresDynamoDB()}, reason: "NUMERIC keeps its scale, a DynamoDB Number through float64 does not"},
		{name: "preset float64 rounding", primary: ok(`{"total":0.3,"avg":33.333333333333333333}`), shadow: ok(`{"total":0.30000000000000004,"avg":33.33333333333333}`),
			opts: []comparator.Option{comparator.PostgresDynamoDB()}, reason: "float64 arithmetic differs from exact NUMERIC in the last digits"},
		{name: "preset microseconds against milliseconds", primary: ok(`{"created_at":"2024-05-01T10:00:00.123456Z"}`), shadow: ok(`{"created_at":"2024-05-01T10:00:00.123Z"}`),
			opts: []comparator.Option{comparator.PostgresDynamoDB()}, reason: "timestamptz keeps microseconds, items usually milliseconds"},
		{name: "preset timestamp rounded up", primary: ok(`{"created_at":"2024-05-01T10:00:00.123999Z"}`), shadow: ok(`{"created_at":"2024-05-01T12:00:00.124+02:00"}`),
			opts: []comparator.Option{comparator.PostgresDynamoDB()}, reason: "rounding or truncating to milliseconds, in any zone"},
		{name: "preset NULL against absent", primary: ok(`{"id":1,"discontinued_at":null}`), shadow: ok(`{"id":1}`),
			opts: []comparator.Option{comparator.PostgresDynamoDB()}, reason: "a NULL column is an attribute DynamoDB does not store"},
		{name: "preset empty list against absent", primary: ok(`{"id":1,"tags":[]}`), shadow: ok(`{"id":1}`),
			opts: []comparator.Option{comparator.PostgresDynamoDB()}, reason: "DynamoDB cannot store empty sets and writers omit empty lists"},
		{name: "preset empty list against null", primary: ok(`{"id":1,"tags":[]}`), shadow: ok(`{"id":1,"tags":null}`),
			opts: []comparator.Option{comparator.PostgresDynamoDB()}, reason: "Go marshals the nil slice of a missing attribute as null"},

		// The preset: what it never hides.
		{name: "preset changed value", primary: ok(`{"price":12.50}`), shadow: ok(`{"price":12.51}`),
			opts: []comparator.Option{comparator.PostgresDynamoDB()}, want: []string{"price value_changed"}, reason: "a cent is a real change"},
		{name: "preset large amount changed", primary: ok(`{"balance":1234567890.12}`), shadow: ok(`{"balance":1234567890.13}`),
			opts: []comparator.Option{comparator.PostgresDynamoDB()}, want: []string{"balance value_changed"}, reason: "the tolerance keeps cents visible below ten billion"},
		{name: "preset identifier through float64", primary: ok(`{"id":1234567890123456789}`), shadow: ok(`{"id":1234567890123456800}`),
			opts: []comparator.Option{comparator.PostgresDynamoDB()}, want: []string{"id value_changed"}, reason: "integers are compared exactly: an id that went through float64 lost digits"},
		{name: "preset changed type", primary: ok(`{"id":1}`), shadow: ok(`{"id":"1"}`),
			opts: []comparator.Option{comparator.PostgresDynamoDB()}, want: []string{"id type_changed"}, reason: `"1" against 1 is a changed JSON type`},
		{name: "preset list order", primary: ok(`{"items":[1,2]}`), shadow: ok(`{"items":[2,1]}`),
			opts: []comparator.Option{comparator.PostgresDynamoDB()}, want: []string{"items[0] value_changed", "items[1] value_changed"}, reason: "order is meaningful unless a path is declared unordered"},
		{name: "preset timestamps a second apart", primary: ok(`{"at":"2024-05-01T10:00:00.123456Z"}`), shadow: ok(`{"at":"2024-05-01T10:00:01.123Z"}`),
			opts: []comparator.Option{comparator.PostgresDynamoDB()}, want: []string{"at value_changed"}, reason: "a second is beyond the millisecond precision"},
		{name: "preset list against absent", primary: ok(`{"tags":["a"]}`), shadow: ok(`{}`),
			opts: []comparator.Option{comparator.PostgresDynamoDB()}, want: []string{"tags missing_in_shadow"}, reason: "only empty lists count as absent"},
		{name: "preset empty string against absent", primary: ok(`{"name":""}`), shadow: ok(`{}`),
			opts: []comparator.Option{comparator.PostgresDynamoDB()}, want: []string{"name missing_in_shadow"}, reason: "DynamoDB stores empty strings since 2020"},

		// The preset, added to and subtracted from.
		{name: "preset with UnorderedPaths", primary: ok(`{"tags":["a","b"],"at":"2024-05-01T10:00:00.123456Z"}`), shadow: ok(`{"tags":["b","a"],"at":"2024-05-01T10:00:00.123Z"}`),
			opts: []comparator.Option{comparator.PostgresDynamoDB(), comparator.UnorderedPaths("tags")}, reason: "options add to the preset"},
		{name: "preset without NullEqualsMissing", primary: ok(`{"id":1,"note":null,"tags":[]}`), shadow: ok(`{"id":1}`),
			opts: []comparator.Option{comparator.PostgresDynamoDB(), comparator.Without(comparator.NullEqualsMissing())}, want: []string{"note missing_in_shadow"},
			reason: "Without subtracts one rule and keeps the others"},
		{name: "preset with exact timestamps", primary: ok(`{"at":"2024-05-01T10:00:00.123456Z"}`), shadow: ok(`{"at":"2024-05-01T10:00:00.123Z"}`),
			opts: []comparator.Option{comparator.PostgresDynamoDB(), comparator.TimePrecision(0)}, want: []string{"at value_changed"}, reason: "a later option overrides the preset's setting"},
		{name: "preset taken back whole", primary: ok(`{"price":12.5,"note":null}`), shadow: ok(`{"price":12.500000000000002}`),
			opts: []comparator.Option{comparator.PostgresDynamoDB(), comparator.Without(comparator.PostgresDynamoDB())}, want: []string{"note missing_in_shadow", "price value_changed"},
			reason: "Without of the whole preset leaves the defaults"},
	}
}

// indexed returns n strings from format with indexes 0 to n-1.
func indexed(format string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf(format, i)
	}
	return out
}

func TestCompare(t *testing.T) {
	for _, tt := range compareCases() {
		t.Run(tt.name, func(t *testing.T) {
			res := comparator.JSON(tt.opts...).Compare(tt.primary, tt.shadow)
			checkError(t, res.Err, tt.wantErr, tt.reason)
			var got []string
			for _, d := range res.Diffs {
				got = append(got, d.Path+" "+string(d.Kind))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("diffs = %q, want %q (%s)", got, tt.want, tt.reason)
			}
			if wantEqual := len(tt.want) == 0 && tt.wantErr == nil; res.Equal != wantEqual {
				t.Errorf("Equal = %v, want %v (%s)", res.Equal, wantEqual, tt.reason)
			}
			if res.Fallback != tt.wantFallback {
				t.Errorf("Fallback = %q, want %q (%s)", res.Fallback, tt.wantFallback, tt.reason)
			}
			if res.Truncated != tt.wantTruncated {
				t.Errorf("Truncated = %v, want %v (%s)", res.Truncated, tt.wantTruncated, tt.reason)
			}
			if tt.wantErr == nil {
				checkGolden(t, tt.name, render(res))
			}
		})
	}
}

func checkError(t *testing.T, got, want error, reason string) {
	t.Helper()
	switch {
	case want == nil && got != nil:
		t.Fatalf("Err = %v, want none (%s)", got, reason)
	case want == errAny && got == nil, want != nil && want != errAny && !errors.Is(got, want):
		t.Fatalf("Err = %v, want %v (%s)", got, want, reason)
	}
}

// render writes a result the way the golden files hold it.
func render(res comparator.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "equal: %v\nfallback: %q\ntruncated: %v\nsignature: %q\n", res.Equal, res.Fallback, res.Truncated, res.Signature())
	for _, d := range res.Diffs {
		fmt.Fprintln(&b, d)
		if d.Field != d.Path {
			fmt.Fprintf(&b, "\tfield: %s\n", d.Field)
		}
		if d.Hint != (comparator.Hint{Triage: comparator.TriageUnknown}) {
			fmt.Fprintf(&b, "\thint: %s %q: %s\n", d.Hint.Triage, d.Hint.Option, d.Hint.Note)
		}
	}
	return b.String()
}

// checkGolden compares got with testdata/golden/<name>.golden, or rewrites
// the file under -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", strings.ReplaceAll(name, " ", "_")+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (run go test -update after checking):\n got:\n%s\nwant:\n%s", path, got, want)
	}
}
