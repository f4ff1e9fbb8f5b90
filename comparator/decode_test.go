package comparator

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math/bits"
	"reflect"
	"strings"
	"testing"
)

// decode decodes body into a tree of its own.
func decode(body []byte) (*tree, Fallback) {
	return new(buffers).decode(body, dropMembers{})
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
		want   Fallback
		reason string
	}{
		{"object", `{"b":[1,{"c":null}],"a":"x"}`, "", "members in any order"},
		{"scalars", ` [true, false, null, -0.5e-3, "", 0] `, "", "every scalar, with surrounding space"},
		{"escapes", `"\" \\ \/ \b \f \n \r \t \u00e9 \ud83d\ude00"`, "", "every escape and a surrogate pair"},
		{"empty containers", `{"a":{},"b":[]}`, "", "empty object and array"},
		{"empty key", `{"":1}`, "", "an empty key is valid"},
		{"nothing", ``, FallbackNotJSON, "an empty body is no document"},
		{"two documents", `{} {}`, FallbackNotJSON, "one document only"},
		{"trailing comma", `[1,]`, FallbackNotJSON, "JSON has no trailing commas"},
		{"single quotes", `{'a':1}`, FallbackNotJSON, "strings take double quotes"},
		{"bare word", `nul`, FallbackNotJSON, "a cut literal"},
		{"leading zero", `01`, FallbackNotJSON, "numbers have no leading zeros"},
		{"control character", "\"a\tb\"", FallbackNotJSON, "control characters must be escaped"},
		{"bad escape", `"\x"`, FallbackNotJSON, "unknown escape"},
		{"short unicode escape", `"\u12"`, FallbackNotJSON, "four hex digits"},
		{"unterminated", `{"a":"b`, FallbackNotJSON, "a cut document"},
		{"missing colon", `{"a" 1}`, FallbackNotJSON, "members need a colon"},
		{"invalid UTF-8", "\"\xc3\x28\"", FallbackInvalidUTF8, "raw invalid bytes"},
		{"lone high surrogate", `"\ud800x"`, FallbackInvalidUTF8, "no low half"},
		{"lone low surrogate", `"\udc00"`, FallbackInvalidUTF8, "a low half alone"},
		{"replacement character", `"\ufffd"`, "", "an escaped U+FFFD is a character like any other"},
		{"duplicate key", `{"a":1,"b":2,"a":3}`, FallbackDuplicateKey, "a repeated key"},
		{"duplicate key deep", `[{"x":{"k":1,"k":1}}]`, FallbackDuplicateKey, "at any depth, even with equal values"},
		{"max depth", strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth), "", "MaxDepth levels decode"},
		{"too deep", strings.Repeat(`{"a":`, MaxDepth+1) + "1" + strings.Repeat("}", MaxDepth+1), FallbackTooDeep, "one more does not"},
		{"too deep and broken", strings.Repeat("[", 10000), FallbackTooDeep, "the depth cap stops before the end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, fb := decode([]byte(tt.doc))
			if fb != tt.want {
				t.Fatalf("decode(%q) fallback = %q, want %q (%s)", tt.doc, fb, tt.want, tt.reason)
			}
			if fb == "" {
				checkLikeEncodingJSON(t, []byte(tt.doc), tr)
			}
		})
	}
}

// checkLikeEncodingJSON checks that tr holds what encoding/json decodes
// from doc.
func checkLikeEncodingJSON(t *testing.T, doc []byte, tr *tree) {
	t.Helper()
	want, err := decodeStd(doc)
	if err != nil {
		t.Fatalf("decode accepted %q, encoding/json did not: %v", doc, err)
	}
	if got := toValue(tr, tr.root(), forNormalize); !reflect.DeepEqual(got, want) {
		t.Fatalf("decode(%q) = %#v, encoding/json gives %#v", doc, got, want)
	}
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
