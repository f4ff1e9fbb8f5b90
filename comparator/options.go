package comparator

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"time"

	"github.com/google/go-cmp/cmp"
)

// DefaultMaxDiffs is how many differences a [Result] keeps unless
// [MaxDiffs] says otherwise.
const DefaultMaxDiffs = 20

// Option configures [JSON]. Options apply in order, so a later one
// overrides an earlier one that sets the same thing; [Options] groups
// several into one and [Without] takes them away again. A nil Option is
// ignored wherever options are taken.
type Option interface {
	apply(*config)
	undo(*config)
}

// Options is a list of options that is itself an option, so a preset is
// just a value: `comparator.Options{comparator.NullEqualsMissing(), ...}`.
type Options []Option

// A nil Option in the list is skipped, as everywhere in the package.
func (o Options) apply(c *config) {
	for _, opt := range o {
		if opt != nil {
			opt.apply(c)
		}
	}
}

func (o Options) undo(c *config) {
	for _, opt := range o {
		if opt != nil {
			opt.undo(c)
		}
	}
}

// config is what the options build; [JSON] compiles it into a comparator.
type config struct {
	ignore, unordered  []string
	keyed              []keyedRule
	mapPaths, showKeys []string
	normalizers        []normalizeRule
	compareAllHeaders  bool
	compareHeaders     []string // canonical names
	ignoreHeaders      []string // canonical names
	absTol, relTol     float64
	compareTimes       bool
	timePrecision      time.Duration
	nullEqualsMissing  bool
	emptyEqualsMissing bool
	numericStrings     bool
	showValues         bool
	compareErrorBodies bool
	cmpOpts            []cmp.Option
	maxDiffs           int
}

// keyedRule is one [KeyedArrays] option.
type keyedRule struct {
	path, key string
}

type normalizeRule struct {
	path string
	fn   func(any) any
}

func newConfig() config {
	return config{maxDiffs: DefaultMaxDiffs}
}

// option is an Option made of two functions: one to set, one to take back.
type option struct {
	set, unset func(*config)
}

func (o option) apply(c *config) { o.set(c) }
func (o option) undo(c *config)  { o.unset(c) }

// flagOption sets the boolean field that field returns.
func flagOption(field func(*config) *bool) Option {
	return option{
		set:   func(c *config) { *field(c) = true },
		unset: func(c *config) { *field(c) = false },
	}
}

// unsupportedUndo is the undo of options that [Without] cannot take back.
func unsupportedUndo(name string) func(*config) {
	return func(*config) {
		panic(fmt.Sprintf("comparator: Without(%s(...)) is not supported: leave the %s option out instead", name, name))
	}
}

// mustParsePaths checks every path at construction, so a typo fails when
// the comparator is built, not silently at every comparison.
func mustParsePaths(opt string, paths []string) []string {
	for _, p := range paths {
		if _, err := parsePattern(p); err != nil {
			panic(fmt.Sprintf("comparator: %s(%q): %v (see the package documentation for the path syntax)", opt, p, err))
		}
	}
	return slices.Clone(paths)
}

func removeAll(list, items []string) []string {
	return slices.DeleteFunc(list, func(s string) bool { return slices.Contains(items, s) })
}

// IgnorePaths leaves the values at the given paths out of the comparison,
// on both sides: `updated_at`, `items[*].etag`, `meta.*`, `**.trace_id`.
func IgnorePaths(paths ...string) Option {
	paths = mustParsePaths("IgnorePaths", paths)
	return option{
		set:   func(c *config) { c.ignore = append(c.ignore, paths...) },
		unset: func(c *config) { c.ignore = removeAll(c.ignore, paths) },
	}
}

// UnorderedPaths compares the arrays at the given paths as multisets: the
// same elements, each as often, in any order. Every other array is
// compared position by position.
func UnorderedPaths(paths ...string) Option {
	paths = mustParsePaths("UnorderedPaths", paths)
	return option{
		set:   func(c *config) { c.unordered = append(c.unordered, paths...) },
		unset: func(c *config) { c.unordered = removeAll(c.unordered, paths) },
	}
}

// KeyedArrays matches the elements of the arrays at path by their member
// key instead of by position: `KeyedArrays("orders", "id")` pairs the
// order with "id": 17 on one side with the order with "id": 17 on the
// other, wherever each stands. An element only the primary has is one
// [MissingInShadow] difference (at `orders[id=17]`), one only the shadow
// has one [ExtraInShadow], and a changed element shows only its changed
// members. The order of such arrays does not matter.
//
// An array is matched by key only when, on both sides, every element is
// an object whose member key is a string, number or boolean, each value
// once; otherwise it is compared as it would be without the option (by
// position, or as a multiset under [UnorderedPaths]). Keys are compared as
// values: 17 and 17.0 are the same key, "17" and 17 are not.
//
// The path `**` names every array that no other KeyedArrays path names;
// [PostgresDynamoDB] matches arrays by "id" that way.
func KeyedArrays(path, key string) Option {
	mustParsePaths("KeyedArrays", []string{path})
	if key == "" {
		panic(fmt.Sprintf("comparator: KeyedArrays(%q, \"\"): name the member that identifies an element, such as \"id\"", path))
	}
	if !isBareKey(key) {
		panic(fmt.Sprintf("comparator: KeyedArrays(%q, %q): the key member's name must be letters, digits, _, - and @, as it is written into diff paths; normalise the elements to carry such a member", path, key))
	}
	r := keyedRule{path: path, key: key}
	return option{
		set:   func(c *config) { c.keyed = append(c.keyed, r) },
		unset: func(c *config) { c.keyed = slices.DeleteFunc(c.keyed, func(k keyedRule) bool { return k == r }) },
	}
}

// MapPaths declares the objects at the given paths to be maps: their member
// names are data (user ids, tokens, e-mail addresses), not field names, so
// diff paths show them redacted, like values, whatever they look like. See
// "Data in paths" in the package documentation.
func MapPaths(paths ...string) Option {
	paths = mustParsePaths("MapPaths", paths)
	return option{
		set:   func(c *config) { c.mapPaths = append(c.mapPaths, paths...) },
		unset: func(c *config) { c.mapPaths = removeAll(c.mapPaths, paths) },
	}
}

// ShowKeys shows the member names of the objects at the given paths, and
// the element keys of the [KeyedArrays] arrays there, as they are in diff
// paths, also where they look like data or [MapPaths] names the object.
// Only for names that may appear in logs and traces. `ShowKeys("**")`
// shows every name.
func ShowKeys(paths ...string) Option {
	paths = mustParsePaths("ShowKeys", paths)
	return option{
		set:   func(c *config) { c.showKeys = append(c.showKeys, paths...) },
		unset: func(c *config) { c.showKeys = removeAll(c.showKeys, paths) },
	}
}

// Normalize replaces each value at path, on both sides, by fn's result
// before anything else is compared there. fn receives and returns the
// shape encoding/json decodes into with UseNumber: map[string]any, []any,
// string, json.Number, bool or nil; it may also return any Go integer or
// float. fn must be safe for concurrent use and must not keep its argument
// (its strings are read in place from the body).
// A panic in fn, or a result of another type, becomes [Result.Err]. A nil
// fn leaves the values as they are.
func Normalize(path string, fn func(any) any) Option {
	mustParsePaths("Normalize", []string{path})
	if fn == nil {
		return Options{}
	}
	return option{
		set:   func(c *config) { c.normalizers = append(c.normalizers, normalizeRule{path, fn}) },
		unset: unsupportedUndo("Normalize"),
	}
}

// CompareHeaders compares the named response headers as text, for every
// status; with no names it compares every header. By default only the
// headers that carry data are compared (Location and Content-Location of
// 3xx and 201 responses, as URLs): stores do not change the others, but
// servers and proxies do. Headers that differ on every response (Date,
// Content-Length and the hop-by-hop headers) are never compared, and
// naming one panics.
func CompareHeaders(names ...string) Option {
	names = canonicalHeaders("CompareHeaders", names)
	for _, n := range names {
		if neverCompared(n) {
			panic(fmt.Sprintf("comparator: CompareHeaders(%q): %s differs between any two responses and is never compared; remove it", n, n))
		}
	}
	if len(names) == 0 {
		return option{
			set:   func(c *config) { c.compareAllHeaders = true },
			unset: func(c *config) { c.compareAllHeaders = false },
		}
	}
	return option{
		set:   func(c *config) { c.compareHeaders = append(c.compareHeaders, names...) },
		unset: func(c *config) { c.compareHeaders = removeAll(c.compareHeaders, names) },
	}
}

// IgnoreHeaders leaves the named headers out of the comparison, also when
// [CompareHeaders] names them or compares every header, and also Location
// and Content-Location, which are compared by default.
func IgnoreHeaders(names ...string) Option {
	names = canonicalHeaders("IgnoreHeaders", names)
	return option{
		set:   func(c *config) { c.ignoreHeaders = append(c.ignoreHeaders, names...) },
		unset: func(c *config) { c.ignoreHeaders = removeAll(c.ignoreHeaders, names) },
	}
}

func canonicalHeaders(opt string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		if n == "" {
			panic(fmt.Sprintf("comparator: %s: empty header name", opt))
		}
		out[i] = http.CanonicalHeaderKey(n)
	}
	return out
}

// neverCompared reports whether the canonical header name differs between
// any two responses by nature: the time of the response, the length of
// the body's bytes (compared as a body instead), and hop-by-hop headers.
func neverCompared(name string) bool {
	switch name {
	case "Date", "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive",
		"Proxy-Connection", "Trailer", "Te", "Upgrade":
		return true
	}
	return false
}

// FloatTolerance makes two numbers equal when they differ by at most abs,
// or by at most rel times the larger magnitude. It applies where at least
// one of the two is written with a fraction or an exponent; two integers
// (counts, identifiers) are always compared exactly. Without it, numbers
// are equal when they name the same decimal value, whatever the spelling
// (12.50 and 12.5 and 1.25e1), huge ones included.
func FloatTolerance(abs, rel float64) Option {
	if !(abs >= 0) || !(rel >= 0) || math.IsInf(abs, 0) || math.IsInf(rel, 0) {
		panic(fmt.Sprintf("comparator: FloatTolerance(%v, %v): tolerances must be finite and not negative", abs, rel))
	}
	return option{
		set:   func(c *config) { c.absTol, c.relTol = abs, rel },
		unset: func(c *config) { c.absTol, c.relTol = 0, 0 },
	}
}

// TimePrecision makes two RFC 3339 timestamp strings equal when they name
// instants at most d apart, whatever their zone offsets or fraction
// digits: "2024-05-01T10:00:00.123456Z" equals "2024-05-01T12:00:00.123+02:00"
// for d of a millisecond. d = 0 asks for the same instant.
func TimePrecision(d time.Duration) Option {
	if d < 0 {
		panic(fmt.Sprintf("comparator: TimePrecision(%v): the precision must not be negative", d))
	}
	return option{
		set:   func(c *config) { c.compareTimes, c.timePrecision = true, d },
		unset: func(c *config) { c.compareTimes, c.timePrecision = false, 0 },
	}
}

// NullEqualsMissing treats an object member whose value is null as absent,
// so {"a": null} equals {}.
func NullEqualsMissing() Option {
	return flagOption(func(c *config) *bool { return &c.nullEqualsMissing })
}

// EmptyEqualsMissing treats an object member whose value is an empty array
// or an empty object as absent, so {"tags": []} equals {}. Empty strings are
// values and stay compared. With [NullEqualsMissing] as well, [] and null
// and absent are all equal.
func EmptyEqualsMissing() Option {
	return flagOption(func(c *config) *bool { return &c.emptyEqualsMissing })
}

// NumericStrings makes a string that holds a JSON number equal to a number
// of the same value: "12.50" equals 12.5. Two strings are still compared
// as strings, so "12.50" and "12.5" differ.
func NumericStrings() Option {
	return flagOption(func(c *config) *bool { return &c.numericStrings })
}

// ShowValues puts the values themselves into [Diff.Primary] and
// [Diff.Shadow] instead of redacted descriptions, and says so in
// [Result.ValuesShown], so telemetry shows them too (span events, mismatch
// log lines, the report page): the one option that shows diff values. It is
// for development: values may hold personal data, and they then leave the
// process in traces and logs.
func ShowValues() Option {
	return flagOption(func(c *config) *bool { return &c.showValues })
}

// CompareErrorBodies compares the bodies of two responses with the same
// status outside 200-299 too. By default two such responses match on the
// status alone: error bodies carry store-specific messages and request ids.
func CompareErrorBodies() Option {
	return flagOption(func(c *config) *bool { return &c.compareErrorBodies })
}

// MaxDiffs keeps at most n differences in a [Result] (default
// [DefaultMaxDiffs]) and sets [Result.Truncated] when there were more.
func MaxDiffs(n int) Option {
	if n < 1 {
		panic(fmt.Sprintf("comparator: MaxDiffs(%d): keep at least one difference", n))
	}
	return option{
		set:   func(c *config) { c.maxDiffs = n },
		unset: func(c *config) { c.maxDiffs = DefaultMaxDiffs },
	}
}

// WithCmpOptions hands options to go-cmp, which explains every difference
// the comparator's own rules leave. They see the decoded documents as
// map[string]any for objects, map[int]any (position to element) for
// arrays (arrays matched by key: maps from an unexported key type),
// json.Number, string, bool and nil; values the comparator's rules
// already found equal reach them identical. With these options go-cmp also
// decides equality, so every pair with different bytes pays for its
// reflection. They must not keep the values they see: strings among them
// are read in place from the bodies, which belong to the caller.
func WithCmpOptions(opts ...cmp.Option) Option {
	opts = slices.DeleteFunc(slices.Clone(opts), func(o cmp.Option) bool { return o == nil })
	return option{
		set:   func(c *config) { c.cmpOpts = append(c.cmpOpts, opts...) },
		unset: unsupportedUndo("WithCmpOptions"),
	}
}

// Without takes options back: applied after them, it undoes what they set.
// It subtracts from a preset:
//
//	comparator.JSON(comparator.PostgresDynamoDB(), comparator.Without(comparator.NullEqualsMissing()))
//
// [Normalize] and [WithCmpOptions] cannot be taken back (a function cannot
// be recognised); leave them out instead. Nil options are skipped.
func Without(opts ...Option) Option {
	group := Options(slices.Clone(opts))
	return option{set: group.undo, unset: group.apply}
}
