package jsontree

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// read reads doc with a Reader into what encoding/json decodes with
// UseNumber, and reports whether the Reader accepted it as Decode would:
// readable to its end, and no name twice in an object (which the Reader
// leaves to its caller).
func read(doc []byte) (any, bool) {
	var r Reader
	if !r.Reset(doc, Options{MaxDepth: maxDepth}) {
		return nil, false
	}
	v, ok := readValue(&r)
	return v, ok && r.Done()
}

func readValue(r *Reader) (any, bool) {
	switch typ := r.Container(); typ {
	case Object:
		if !r.Open() {
			return nil, false
		}
		m := map[string]any{}
		for first := true; r.More(Object, first); first = false {
			name := r.Name()
			if _, dup := m[name]; dup || r.Failed() {
				return nil, false
			}
			v, ok := readValue(r)
			if !ok {
				return nil, false
			}
			m[name] = v
		}
		return m, !r.Failed()
	case Array:
		if !r.Open() {
			return nil, false
		}
		a := []any{}
		for first := true; r.More(Array, first); first = false {
			v, ok := readValue(r)
			if !ok {
				return nil, false
			}
			a = append(a, v)
		}
		return a, !r.Failed()
	}
	typ, text := r.Scalar()
	switch typ {
	case Bool:
		return text == "true", !r.Failed()
	case Number:
		return json.Number(text), !r.Failed()
	case String:
		return text, !r.Failed()
	}
	return nil, !r.Failed()
}

// checkReaderLikeDecode checks that a Reader accepts doc exactly when
// Decode does, and reads the same values.
func checkReaderLikeDecode(t *testing.T, doc []byte) {
	t.Helper()
	tr, err := decode(doc)
	got, ok := read(doc)
	if ok != (err == nil) {
		t.Fatalf("Reader accepts %q: %v; Decode: %v", doc, ok, err)
	}
	if ok {
		if want := toAny(tr, tr.Root()); !reflect.DeepEqual(got, want) {
			t.Fatalf("Reader reads %q as %#v, Decode as %#v", doc, got, want)
		}
	}
}

func TestReaderLikeDecode(t *testing.T) {
	for _, doc := range []string{
		`{"b":[1,{"c":null}],"a":"x"}`, ` [true, false, null, -0.5e-3, "", 0] `, `"\" \\ \/ \u00e9 \ud83d\ude00"`,
		`{"a":{},"b":[]}`, `{"":1}`, ``, `{} {}`, `[1,]`, `{'a':1}`, `nul`, `01`, "\"a\tb\"", `"\x"`, `{"a":"b`,
		`{"a" 1}`, "\"\xc3\x28\"", `"\ud800x"`, `{"a":1,"b":2,"a":3}`, `{"a":1,"\u0061":2}`, `[1 2]`, `{"a":1,}`,
		`{,}`, `[,1]`, ` { "a" : [ 1 , 2 ] } `, `truex`, `[truex]`, `12a`, `[-]`,
	} {
		checkReaderLikeDecode(t, []byte(doc))
	}
}

func TestReaderQuoted(t *testing.T) {
	tests := []struct {
		doc, text string
		want      bool
		reason    string
	}{
		{`"abc"`, "abc", true, "the same bytes"},
		{` "abc",`, "abc", true, "after space"},
		{`"abcd"`, "abc", false, "longer"},
		{`"ab"`, "abc", false, "shorter"},
		{`"abc`, "abc", false, "unterminated"},
		{`abc"`, "ab", false, "no opening quote"},
		{`"a\u0062c"`, "abc", false, "escaped: left to Scalar"},
	}
	for _, tt := range tests {
		var r Reader
		r.Reset([]byte(tt.doc), Options{MaxDepth: maxDepth})
		if got := r.Quoted(tt.text); got != tt.want {
			t.Errorf("Quoted(%q) on %q = %v, want %v (%s)", tt.text, tt.doc, got, tt.want, tt.reason)
		}
	}
}

// TestReaderMember checks Member against More followed by Name: the same
// verdicts, the same position after, the same failures, and the name read
// exactly when it is written as the expected one.
func TestReaderMember(t *testing.T) {
	tests := []struct {
		doc, want string
		expect    bool
	}{
		{`{"a":1}`, "a", true},
		{`{ "a" : 1}`, "a", true},
		{`{"b":1}`, "a", true},
		{`{"a":1}`, "", false},
		{`{}`, "a", true},
		{`{ }`, "a", true},
		{`{"ab":1}`, "a", true},
		{`{"a"1}`, "a", true},
		{`{"\u0061":1}`, "a", true},
		{`{`, "a", true},
		{`{"x":1,"a":2}`, "a", true},
		{`{"x":1 , "a":2}`, "a", true},
		{`{"x":1;"a":2}`, "a", true},
		{`{"x":1}`, "a", true},
		{`{"x":1`, "a", true},
	}
	for _, tt := range tests {
		var got, want Reader
		got.Reset([]byte(tt.doc), Options{MaxDepth: maxDepth})
		want.Reset([]byte(tt.doc), Options{MaxDepth: maxDepth})
		got.Open()
		want.Open()
		for first := true; ; first = false {
			more, named := got.Member(first, tt.want, tt.expect)
			wantMore := want.More(Object, first)
			wantNamed := false
			if wantMore {
				at := want.d.pos
				name := want.Name()
				wantNamed = tt.expect && name == tt.want && strings.HasPrefix(strings.TrimLeft(tt.doc[at:], " "), `"`+tt.want+`"`)
				if !named {
					got.Name()
				}
			}
			if more != wantMore || named != wantNamed || !want.Failed() && got.d.pos != want.d.pos || got.d.depth != want.d.depth || got.Failed() != want.Failed() {
				t.Fatalf("%q: Member = %v, %v at %d (depth %d, failed %v); More, Name = %v, %v at %d (depth %d, failed %v)",
					tt.doc, more, named, got.d.pos, got.d.depth, got.Failed(), wantMore, wantNamed, want.d.pos, want.d.depth, want.Failed())
			}
			if !more || got.Failed() {
				break
			}
			got.Value()
			want.Value()
		}
	}
}
