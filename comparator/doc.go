// Package comparator decides whether a shadow response matches its primary
// and, when it does not, says where and how they differ.
//
// The shadow-read middleware hands every sampled pair of responses to a
// [Comparator]. [JSON] builds the one for JSON APIs:
//
//	c := comparator.JSON(comparator.PostgresDynamoDB(), comparator.IgnorePaths("items[*].etag"))
//	res := c.Compare(primary, shadow)
//	if !res.Equal {
//		log.Printf("mismatch %s: %v", res.Signature(), res.Diffs)
//	}
//
// # What is compared
//
// In this order:
//
//  1. The status codes. When they differ the result is one [Diff] at
//     `$status` of kind [StatusChanged], and nothing else is compared:
//     the bodies of two statuses differ by nature. (The middleware counts a
//     5xx from the shadow as a shadow error before it calls Compare.)
//  2. The headers that [CompareHeaders] names, at `$header.Name`, as text.
//     Servers and proxies change headers, the stores behind a handler do
//     not, so by default only headers that carry data are compared: the
//     Location and Content-Location of a 3xx or 201 response, which name
//     a resource the store chose. They are compared as URLs: scheme and
//     host without case (the scheme only when both have a host), the path
//     percent-decoded, the query as parameters in any order; fragments are
//     not compared. A relative URL equals an absolute one only when that
//     has no host. A difference is one [Diff] at `$header.Location`, its
//     values redacted like any other, and its note names the parts that
//     differ. [IgnoreHeaders] turns this off; a header [CompareHeaders]
//     names is compared as text, for every status. Date, Content-Length
//     and the hop-by-hop headers are never compared.
//  3. The bodies, for statuses 200-299. Two responses with the same status
//     outside that range match on the status alone (both 404 is a match):
//     error bodies carry store-specific messages and request ids.
//     [CompareErrorBodies] compares them too.
//
// Identical body bytes match without being decoded. Otherwise both bodies
// are decoded as JSON and compared as documents:
//
//   - object members have no order;
//   - arrays are compared position by position, so an element inserted
//     shows as changes from its position on plus an extra element at the
//     end; [KeyedArrays] matches the elements of named arrays by a member
//     such as "id", and [UnorderedPaths] compares named arrays as
//     multisets;
//   - numbers are compared by decimal value, exactly: 12.50, 12.5 and
//     1.25e1 are equal, and so are 1e400 and 10e399, while two 30-digit
//     integers that differ in the last digit are not;
//   - strings are compared after unescaping;
//   - values of different JSON types differ ([TypeChanged]), "1" and 1 too.
//
// A body that cannot be compared as JSON is compared as bytes, and
// [Result.Fallback] says why: it is not JSON ([FallbackNotJSON]); it holds
// invalid UTF-8 or a lone UTF-16 surrogate escape, which decoders replace
// with U+FFFD and so would make different values equal
// ([FallbackInvalidUTF8]); an object repeats a key, on which JSON readers
// disagree ([FallbackDuplicateKey]); it nests deeper than [MaxDepth]
// levels ([FallbackTooDeep]); or it is 2 GiB or more ([FallbackTooLarge]).
// Different bytes are then one [Diff] at `$body`.
//
// # Paths
//
// Options name places in a document with paths, from the root:
//
//	updated_at           the member updated_at of the root object
//	meta.source          member source of member meta
//	items[*].price       member price of every element of items
//	[*].id               member id of every element of a top-level array
//	meta.*               every member of meta
//	**.trace_id          trace_id at any depth (** is any number of steps, zero included)
//	["a.b"]["x y"]       names that are not letters, digits, _, - and @, in JSON string syntax
//
// Element indexes are not part of the syntax: a rule about items[3] would
// be about whatever happens to stand third. An invalid path panics when
// the option is created, with the fix in the message.
//
// The paths of a [Diff] use the same syntax with element steps: an index,
// `items[3].price`, or for an array matched by key the key, `orders[id=17]`
// (`lines[sku="A-1"]` for a string). The root of the document is `$`;
// `$status`, `$header.Name` and `$body` name the status, a header and a
// body compared as bytes. [Diff.Field] is the path with every element step
// written `[]`: `orders[].status` whichever order it is.
//
// # Data in paths
//
// Values are redacted by default (see Results), and so are member names
// that are data rather than field names: an object used as a map, keyed by
// session tokens, e-mail addresses or account numbers, would otherwise put
// them into every diff path, and from there into span events, log lines
// and the report. A member name is shown as it is when it is a short
// identifier: letters, digits, '_' and '-', at most 32 bytes, and not
// shaped like a generated value (a run of six digits or more, a part that
// mixes many digits into letters, as tokens and hashes do, or more digits
// than letters, as a date). Any other name is written as a redacted step
// with a short hash of the name, `sessions.<redacted:85ac>.expires`, in
// [Diff.Path] and [Diff.Field] alike, so that mismatches on the same key
// still group into one signature. The key values of [KeyedArrays] elements
// follow the same rule (`users[id=<redacted:1f3c>]`).
//
//   - [MapPaths] declares objects to be maps: all their member names are
//     redacted, however they look (`MapPaths("carts")` for carts keyed by
//     product code).
//   - [ShowKeys] is the allow-list: the member names of the objects it
//     names, and the element keys of the arrays it names, are shown as
//     they are, whatever they look like. `ShowKeys("**")` shows all. Use it
//     only for names that may appear in logs and traces.
//
// [ShowValues] does not show keys; each of the two options opts in to one
// kind of data.
//
// # Options
//
// Options apply in order, a later one overriding an earlier one that sets
// the same thing. [Options] makes one option of several, and [Without]
// takes options back. A nil Option is ignored, and a nil argument means
// the default (a nil [Normalize] function leaves values as they are).
//
//   - [IgnorePaths]: leave values out of the comparison, on both sides.
//   - [KeyedArrays]: match the elements of arrays by a member, such as "id".
//   - [UnorderedPaths]: compare arrays as multisets.
//   - [FloatTolerance]: numbers within an absolute or relative tolerance
//     are equal, where one of them is not an integer.
//   - [TimePrecision]: RFC 3339 timestamps naming instants at most a
//     duration apart are equal, whatever their zone offsets or digits.
//   - [NullEqualsMissing]: a member whose value is null counts as absent.
//   - [EmptyEqualsMissing]: a member whose value is [] or {} counts as absent.
//   - [NumericStrings]: a string holding a JSON number equals that number.
//   - [Normalize]: replace the values at a path by a function's result.
//   - [CompareHeaders], [IgnoreHeaders]: which headers are compared
//     (Location and Content-Location of 3xx and 201 by default).
//   - [CompareErrorBodies]: compare the bodies of equal non-2xx statuses.
//   - [ShowValues]: values instead of redacted descriptions in diffs, and in
//     telemetry's spans, logs and report (development only).
//   - [MapPaths], [ShowKeys]: which member names diff paths redact or show.
//   - [MaxDiffs]: how many differences a result keeps.
//   - [WithCmpOptions]: go-cmp options, the escape hatch for everything else.
//
// # PostgreSQL and DynamoDB
//
// [PostgresDynamoDB] holds what really differs when the same handler
// serves a response from PostgreSQL and from DynamoDB, and nothing else.
// Each rule, with its cause:
//
//   - NUMERIC against Number. PostgreSQL's NUMERIC keeps its scale, so a
//     price arrives as 12.50; a DynamoDB Number read into a float64 is
//     written back as 12.5. Numbers are compared by value anyway, so these
//     are equal without a rule. Values that went through float64
//     arithmetic on one side differ from exact NUMERIC arithmetic in the
//     last digits (0.1+0.2 is 0.30000000000000004), so numbers with a
//     fraction or an exponent may differ by a relative
//     [PostgresDynamoDBRelTolerance] of 1e-12: float64 holds 15 to 17
//     significant digits, and a cent stays visible on amounts below ten
//     billion. Two integers are compared exactly: an id that lost digits
//     to float64 on the way is a real difference.
//   - Microseconds against milliseconds. timestamptz keeps microseconds;
//     items usually keep milliseconds (Go's time.Time.UnixMilli, or a
//     formatted string), truncated or rounded. Timestamps at most a
//     millisecond apart are equal, in any zone offset.
//   - NULL column against absent attribute. A NULL column reaches the
//     handler as a nil value; an item has no attribute for it at all
//     (writers skip nil values with omitempty, and UpdateItem REMOVE
//     deletes them), so a handler that builds its response from the
//     attributes leaves the member out. null counts as absent.
//   - Empty list against absent attribute. DynamoDB cannot store an empty
//     set, and writers drop empty lists with omitempty, so an empty array
//     column comes back missing, or as null through a nil slice. [] and {}
//     count as absent, and with the previous rule so does null.
//   - Entities in another order. A list of orders comes from an ORDER BY
//     on one side and from a Query's sort key, or a BatchGetItem in no
//     order at all, on the other. Arrays whose elements are all objects
//     with a distinct string, number or boolean "id" are matched by that
//     id (`KeyedArrays("**", "id")`), so one missing order is one
//     [MissingInShadow] difference at `orders[id=17]`, not a change in
//     every order after it. Arrays without such ids keep their order.
//
// It never hides a changed value, a changed JSON type ("1" against 1), a
// list of values in another order (order is meaningful unless a path is
// declared unordered or keyed), timestamps a second apart, a non-empty list against an
// absent one, or an empty string against an absent one (DynamoDB has
// stored empty strings since 2020). Add to it with more options; subtract
// with [Without] or override a setting:
//
//	comparator.JSON(comparator.PostgresDynamoDB(), comparator.UnorderedPaths("tags"))
//	comparator.JSON(comparator.PostgresDynamoDB(), comparator.Without(comparator.NullEqualsMissing()))
//	comparator.JSON(comparator.PostgresDynamoDB(), comparator.TimePrecision(0))
//
// # Results
//
// A [Result] lists at most [DefaultMaxDiffs] differences (see [MaxDiffs])
// and sets [Result.Truncated] when there were more. Each [Diff] has a path,
// its field (the path without element positions), a [Kind]
// (missing_in_shadow, extra_in_shadow, value_changed, type_changed,
// status_changed), a description of each side and a [Hint].
//
// Descriptions are redacted by default, so diffs can go to logs and traces:
// the JSON type, a length where there is one, and the first six hex digits
// of the SHA-256 of the value, as in `string(len=12,#a1b2c3)`,
// `number(#d4e5f6)` (hashed by value: 12.5 and 12.50 read the same),
// `object(len=3)` or `bytes(len=512,#0a1b2c)`. The hash tells whether two
// values are the same without showing them; it does not protect a value
// that can be guessed, such as a boolean or a small number. Status codes
// are shown as they are. [ShowValues] shows the values themselves.
//
// [Result.Signature] identifies the shape of a mismatch, so that identical
// mismatches can be counted together: it is the first 16 hex digits of the
// SHA-256 of the sorted, distinct lines "field\x00kind", with the field's
// element steps written [*] (as signatures were computed before fields
// existed, so they stay the same). A status change adds its direction,
// "$status\x00status_changed\x00200->404", so that 200 against 404 and
// 404 against 200 count apart. It ignores other values, positions, keys
// and order, and stays the same across requests and processes.
//
// # Triage
//
// [Diff.Hint] says what a difference looks like, judged from the raw
// values when the comparison runs (Primary and Shadow may be redacted).
// Every difference has one of three triages, and triage never advises
// hiding data loss:
//
//   - [TriageRepresentation]: the same data in another form, with
//     [Hint.Option] naming the option that would absorb it: float64 noise,
//     numbers within a relative 1e-12 of which one is written with
//     float64's 15 to 17 digits (`FloatTolerance(0, 1e-12)`); a number
//     against a string holding it (`NumericStrings()`); the same instant
//     in another zone offset or spelling (`TimePrecision(0)`) or at a
//     coarser precision of milliseconds or finer
//     (`TimePrecision(time.Millisecond)`); the same elements in another
//     order (`UnorderedPaths("tags")`, or `KeyedArrays("orders", "id")`
//     for objects with ids); null or an empty array or object against an
//     absent member (`NullEqualsMissing()`, `EmptyEqualsMissing()`).
//   - [TriageDataLoss]: one side holds less than the other, which no
//     option should hide: a number that is the other rounded or truncated
//     to the fewer decimals it writes (1234567.8912 against 1234567.89),
//     or rounded to float32, an integer rounded to float64's digits; a
//     timestamp that lost its fraction of a second, or shifted by whole
//     hours or to another offset at the same wall-clock time (the note
//     says "time zone"); a string cut short; a value replaced by null,
//     "", [] or {}, or left out, where the other side has content, in
//     either direction; an array element missing (for arrays compared by
//     position, every difference in an array that is the primary's with
//     elements left out); a 2xx against a 404 or 410.
//   - [TriageUnknown]: everything else; a person has to look. In an array
//     matched by key that has as many elements missing in the shadow as
//     extra there, those elements are unknown with the note "ordering or
//     page boundary": a page cut at another place looks the same.
//
// Nothing is absorbed automatically: a hint never makes a result equal.
//
// # Safety
//
// go-cmp says of itself that it is meant for tests, that it may panic, and
// that the text of its Diff is deliberately unstable. So the comparator
// never parses go-cmp's text: it collects differences with a
// [github.com/google/go-cmp/cmp.Reporter] from go-cmp's path steps. Every
// panic during a comparison, in go-cmp, in a [Normalize] function or in a
// go-cmp option, is recovered into [Result.Err], which wraps [ErrPanic].
// Arrays reach go-cmp as maps from position (or key) to element, so go-cmp
// compares them element by element rather than with its edit script,
// whose output varies between processes; results and signatures are
// deterministic.
//
// Arbitrary bytes do not make it panic or run away: decoding is bounded
// by [MaxDepth], huge numbers are compared as decimal text, and the
// comparison is linear in the size of the documents, apart from
// [UnorderedPaths] under tolerances (see below). A fuzz test checks this on
// arbitrary pairs of bodies.
//
// # Performance
//
// A matching pair should not pay for go-cmp's reflection. Identical bytes
// match after one bytes.Equal. Otherwise each body is decoded, in place,
// into a compact tree kept in buffers pooled by size, so that matching
// pairs allocate nothing, large bodies included; objects with the same
// member names in the same order (the elements of a list) share one
// sorting of their names. Then the options' rules are applied, and one
// hand-written walk compares the two trees and, where they differ, builds
// the values go-cmp explains: only a pair that differs goes to go-cmp, and
// then only the parts that differ, up to the differences the result keeps
// ([MaxDiffs]); the comparator's own rules have already decided about
// everything else. Arrays matched by key whose keys stand in the same order
// are compared by position, without an index of their keys. An element of
// an unordered array that is out of place is looked for among the
// elements that hash like it, which is about linear when the rules are
// exact; under tolerances the search is greedy and can take a quadratic
// number of comparisons.
//
// A [Comparator] built by [JSON] is immutable and safe for concurrent use.
// [Normalize] functions and go-cmp options it is given must be safe for
// concurrent use too.
package comparator
