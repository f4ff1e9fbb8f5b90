package jsontree

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math/bits"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// maxDepth is the depth limit of the tests, the comparator's.
const maxDepth = 64

// decode decodes body into a tree of its own.
func decode(body []byte) (*Tree, error) {
	return new(Decoder).Decode(body, EstimateNodes(body), Options{MaxDepth: maxDepth})
}

// decodeStd decodes doc the way encoding/json does with UseNumber.
func decodeStd(doc []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name   string
		doc    string
		want   error
		reason string
	}{
		{"object", `{"b":[1,{"c":null}],"a":"x"}`, nil, "members in any order"},
		{"scalars", ` [true, false, null, -0.5e-3, "", 0] `, nil, "every scalar, with surrounding space"},
		{"escapes", `"\" \\ \/ \b \f \n \r \t \u00e9 \ud83d\ude00"`, nil, "every escape and a surrogate pair"},
		{"empty containers", `{"a":{},"b":[]}`, nil, "empty object and array"},
		{"empty key", `{"":1}`, nil, "an empty key is valid"},
		{"nothing", ``, ErrNotJSON, "an empty body is no document"},
		{"two documents", `{} {}`, ErrNotJSON, "one document only"},
		{"trailing comma", `[1,]`, ErrNotJSON, "JSON has no trailing commas"},
		{"single quotes", `{'a':1}`, ErrNotJSON, "strings take double quotes"},
		{"bare word", `nul`, ErrNotJSON, "a cut literal"},
		{"leading zero", `01`, ErrNotJSON, "numbers have no leading zeros"},
		{"control character", "\"a\tb\"", ErrNotJSON, "control characters must be escaped"},
		{"bad escape", `"\x"`, ErrNotJSON, "unknown escape"},
		{"short unicode escape", `"\u12"`, ErrNotJSON, "four hex digits"},
		{"unterminated", `{"a":"b`, ErrNotJSON, "a cut document"},
		{"missing colon", `{"a" 1}`, ErrNotJSON, "members need a colon"},
		{"invalid UTF-8", "\"\xc3\x28\"", ErrInvalidUTF8, "raw invalid bytes"},
		{"lone high surrogate", `"\ud800x"`, ErrInvalidUTF8, "no low half"},
		{"lone low surrogate", `"\udc00"`, ErrInvalidUTF8, "a low half alone"},
		{"replacement character", `"\ufffd"`, nil, "an escaped U+FFFD is a character like any other"},
		{"duplicate key", `{"a":1,"b":2,"a":3}`, ErrDuplicateKey, "a repeated key"},
		{"duplicate key deep", `[{"x":{"k":1,"k":1}}]`, ErrDuplicateKey, "at any depth, even with equal values"},
		{"siblings", `[{"b":1,"a":2},{"b":3,"a":4},{"a":5,"b":6},{"b":7,"a":8,"c":9},{"b":0}]`, nil, "objects read against the shape of the one before"},
		{"sorted siblings", `[{"a":1,"b":2},{"a":3,"b":4}]`, nil, "a sorted shape"},
		{"sibling escaped", `[{"b":1,"a":2},{"\u0062":3,"a":4}]`, nil, "an escaped name equal to the shape's"},
		{"sibling duplicate", `[{"b":1,"a":2},{"b":3,"b":4}]`, ErrDuplicateKey, "a repeated name after the shape's first"},
		{"sibling duplicate escaped", `[{"b":1,"a":2},{"b":3,"a":4,"\u0061":5}]`, ErrDuplicateKey, "the shape's names and one more, repeated"},
		{"sibling prefix", `[{"ab":1},{"a":1}]`, nil, "a name that is a prefix of the shape's"},
		{"sibling missing colon", `[{"a":1},{"a" 1}]`, ErrNotJSON, "the shape's name without its colon"},
		{"nested siblings", `[{"x":{"q":1,"p":2},"y":1},{"x":{"q":3,"p":4},"y":2}]`, nil, "shapes per depth"},
		{"max depth", strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth), nil, "maxDepth levels decode"},
		{"too deep", strings.Repeat(`{"a":`, maxDepth+1) + "1" + strings.Repeat("}", maxDepth+1), ErrTooDeep, "one more does not"},
		{"too deep and broken", strings.Repeat("[", 10000), ErrTooDeep, "the depth cap stops before the end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, err := decode([]byte(tt.doc))
			if err != tt.want {
				t.Fatalf("decode(%q) = %v, want %v (%s)", tt.doc, err, tt.want, tt.reason)
			}
			if err == nil {
				checkLikeEncodingJSON(t, []byte(tt.doc), tr)
			}
		})
	}
}

// checkLikeEncodingJSON checks that tr holds what encoding/json decodes
// from doc.
func checkLikeEncodingJSON(t *testing.T, doc []byte, tr *Tree) {
	t.Helper()
	want, err := decodeStd(doc)
	if err != nil {
		t.Fatalf("decode accepted %q, encoding/json did not: %v", doc, err)
	}
	if got := toAny(tr, tr.Root()); !reflect.DeepEqual(got, want) {
		t.Fatalf("decode(%q) = %#v, encoding/json gives %#v", doc, got, want)
	}
}

// toAny converts n to what encoding/json decodes with UseNumber.
func toAny(t *Tree, n *Node) any {
	switch n.Type {
	case Bool:
		return t.Text(n.Text) == "true"
	case Number:
		return json.Number(t.Text(n.Text))
	case String:
		return t.Text(n.Text)
	case Array:
		a := []any{}
		for i := range t.Kids(n) {
			a = append(a, toAny(t, &t.Kids(n)[i]))
		}
		return a
	case Object:
		m := map[string]any{}
		for i := range t.Kids(n) {
			k := &t.Kids(n)[i]
			m[t.Text(k.Key)] = toAny(t, k)
		}
		return m
	}
	return nil
}

// TestQuoteEscapeOrControl checks that the lowest marked byte of every
// word is the first byte that ends a plain run of a string, whatever
// follows it (borrows may mark later bytes wrongly).
func TestQuoteEscapeOrControl(t *testing.T) {
	fillers := []byte{'a', 0x7f, 0x80, 0xff, '!', '#', '[', ']', 0x21}
	for _, special := range []byte{'"', '\\', 0x00, 0x1f, '\n'} {
		for pos := range 8 {
			for _, filler := range fillers {
				var w [8]byte
				for i := range w {
					w[i] = filler
					if i > pos {
						w[i] = special - 1 // borrow bait after the special byte
					}
				}
				w[pos] = special
				m := quoteEscapeOrControl(binary.LittleEndian.Uint64(w[:]))
				if got := bits.TrailingZeros64(m) / 8; got != pos {
					t.Fatalf("word %q: first marked byte %d, want %d", w, got, pos)
				}
			}
		}
	}
	if m := quoteEscapeOrControl(binary.LittleEndian.Uint64([]byte("plain ok"))); m != 0 {
		t.Errorf("plain bytes marked: %x", m)
	}
}

func TestDecodeDrops(t *testing.T) {
	const doc = `{"a":null,"b":[],"c":{},"d":0,"e":[null]}`
	tests := []struct {
		name   string
		opts   Options
		want   string
		reason string
	}{
		{"nothing", Options{}, `{"a":null,"b":[],"c":{},"d":0,"e":[null]}`, "every member kept"},
		{"null", Options{DropNull: true}, `{"b":[],"c":{},"d":0,"e":[null]}`, "null members only, not null elements"},
		{"empty", Options{DropEmpty: true}, `{"a":null,"d":0,"e":[null]}`, "empty arrays and objects"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.MaxDepth = maxDepth
			tr, err := new(Decoder).Decode([]byte(doc), EstimateNodes([]byte(doc)), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := decodeStd([]byte(tt.want))
			if got := toAny(tr, tr.Root()); !reflect.DeepEqual(got, want) {
				t.Errorf("got %#v, want %#v (%s)", got, want, tt.reason)
			}
			if tr.MissingDropped != (tt.opts.DropNull || tt.opts.DropEmpty) {
				t.Errorf("MissingDropped = %v", tr.MissingDropped)
			}
		})
	}
}

// FuzzDecode checks Decode against encoding/json on any input: what Decode
// accepts, encoding/json decodes to the same values; what encoding/json
// accepts as valid UTF-8, Decode only refuses for a reason of its own. A
// Reader accepts and reads what Decode does.
func FuzzDecode(f *testing.F) {
	for _, doc := range []string{`{"b":[1,{"c":null}],"a":"x"}`, `"\u00e9 \ud83d\ude00"`, `[1,]`, `{"a":1,"a":2}`} {
		f.Add([]byte(doc))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		checkReaderLikeDecode(t, doc)
		tr, err := decode(doc)
		switch {
		case err == nil:
			checkLikeEncodingJSON(t, doc, tr)
		case err == ErrNotJSON && json.Valid(doc) && utf8.Valid(doc):
			t.Fatalf("Decode refused %q as not JSON, encoding/json accepts it", doc)
		}
	})
}
