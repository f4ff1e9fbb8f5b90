package comparator

import (
	"slices"
	"strings"
	"testing"
)

func TestParsePattern(t *testing.T) {
	key := func(k string) segment { return segment{kind: segKey, key: k} }
	anyKey, anyIndex, anyDepth := segment{kind: segAnyKey}, segment{kind: segAnyIndex}, segment{kind: segAnyDepth}
	tests := []struct {
		name    string
		pattern string
		want    []segment
		wantErr string
		reason  string
	}{
		{"member", "updated_at", []segment{key("updated_at")}, "", "a bare name is a member of the root"},
		{"nested", "a.b-c.@d", []segment{key("a"), key("b-c"), key("@d")}, "", "dots separate members; - and @ are bare"},
		{"every element", "items[*].updated_at", []segment{key("items"), anyIndex, key("updated_at")}, "", "[*] is every element"},
		{"root array", "[*].id", []segment{anyIndex, key("id")}, "", "a path may start at a top-level array"},
		{"every member", "meta.*", []segment{key("meta"), anyKey}, "", "* is every member"},
		{"any depth", "**.id", []segment{anyDepth, key("id")}, "", "** is any number of steps"},
		{"quoted", `a["b.c"]["d\"e"].f`, []segment{key("a"), key("b.c"), key(`d"e`), key("f")}, "", "quoted names take JSON string syntax"},
		{"unicode", "größe", []segment{key("größe")}, "", "letters of any script are bare"},
		{"empty", "", nil, "empty path", "nothing to match"},
		{"leading dot", ".a", nil, "empty name", "no empty member names"},
		{"double dot", "a..b", nil, "empty name", "no empty member names"},
		{"trailing dot", "a.", nil, "empty name", "no empty member names"},
		{"index", "items[3].id", nil, "write [*]", "indexes are not part of the syntax"},
		{"unquoted bracket", "a[b]", nil, "quoted name", "brackets hold [*] or a quoted name"},
		{"unterminated quote", `a["b`, nil, "unterminated", "a quoted name must end"},
		{"bad escape", `a["\x"]`, nil, "not a JSON string", "JSON string syntax"},
		{"needs quoting", "a b", nil, `write ["a b"]`, "the error gives the fix"},
		{"missing dot", `["a"]b`, nil, "expected '.'", "steps are separated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parsePattern(tt.pattern)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parsePattern(%q) error = %v, want one containing %q (%s)", tt.pattern, err, tt.wantErr, tt.reason)
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Fatalf("parsePattern(%q) = %v, %v; want %v (%s)", tt.pattern, got, err, tt.want, tt.reason)
			}
		})
	}
}

func TestDiffPathsParseBack(t *testing.T) {
	tests := []struct {
		name   string
		key    string
		reason string
	}{
		{"bare", "price", "written as is"},
		{"dot", "a.b", "quoted"},
		{"quote and backslash", `a"b\c`, "escaped inside the quotes"},
		{"control", "a\nb", "escaped as \\u000a"},
		{"star", "*", "quoted, so it is not the wildcard"},
		{"dollar", "$status", "quoted, so it cannot be mistaken for the status path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := string(appendKey(appendKey(nil, "x"), tt.key))
			segs, err := parsePattern(path)
			if err != nil || len(segs) != 2 || segs[1] != (segment{kind: segKey, key: tt.key}) {
				t.Fatalf("path %q parses to %v, %v; want x then %q (%s)", path, segs, err, tt.key, tt.reason)
			}
		})
	}
}

func TestCollapseIndexes(t *testing.T) {
	tests := []struct {
		name, path, want, reason string
	}{
		{"index", "items[3].price", "items[*].price", "indexes collapse"},
		{"nested", "[0].a[12][7]", "[*].a[*][*]", "every index"},
		{"quoted name", `["[3]"][4]`, `["[3]"][*]`, "brackets inside a quoted name stay"},
		{"escaped quote", `["a\"[1]"][2]`, `["a\"[1]"][*]`, "escapes inside a quoted name"},
		{"root", "$", "$", "nothing to collapse"},
		{"unicode", "größe[1]", "größe[*]", "multi-byte names survive"},
		{"key", "orders[id=17].status", "orders[*].status", "a key is an element step"},
		{"quoted key", `o[sku="a]b"][3]`, `o[*][*]`, "brackets inside a quoted key value"},
		{"escaped quote in key", `o[sku="a\"]"].x`, `o[*].x`, "escapes inside a quoted key value"},
		{"redacted", "s.<redacted:3f2a>[2]", "s.<redacted:3f2a>[*]", "a redacted name is a name"},
		{"not a step", "a[b", "a[b", "an unterminated bracket is left as it is"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := collapseIndexes(tt.path); got != tt.want {
				t.Errorf("collapseIndexes(%q) = %q, want %q (%s)", tt.path, got, tt.want, tt.reason)
			}
		})
	}
}

func TestMatcher(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		steps   []string // "[]" for an element, else a member name
		want    bool
		reason  string
	}{
		{"exact", "a.b", []string{"a", "b"}, true, "each step matches"},
		{"prefix only", "a.b", []string{"a"}, false, "the whole pattern must match"},
		{"too deep", "a", []string{"a", "b"}, false, "a pattern names one place, not its children"},
		{"element", "a[*]", []string{"a", "[]"}, true, "[*] takes an element"},
		{"star is no element", "a.*", []string{"a", "[]"}, false, "* takes members only"},
		{"star member", "a.*", []string{"a", "x"}, true, "* takes any member"},
		{"double star zero steps", "**.id", []string{"id"}, true, "** may match nothing"},
		{"double star many steps", "**.id", []string{"a", "[]", "b", "id"}, true, "** crosses members and elements"},
		{"double star in the middle", "a.**.id", []string{"a", "x", "id"}, true, "** between names"},
		{"double star at the end", "a.**", []string{"a", "x", "[]"}, true, "** at the end names everything below"},
		{"double star wrong name", "**.id", []string{"a", "idx"}, false, "names still have to match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			segs, err := parsePattern(tt.pattern)
			if err != nil {
				t.Fatal(err)
			}
			m := matcher{rules: []pathRule{{pattern: tt.pattern, segs: segs, action: actIgnore}}}
			states := m.root()
			for _, s := range tt.steps {
				states = m.next(states, s, s == "[]")
			}
			if got := m.applies(states, actIgnore); got != tt.want {
				t.Errorf("%q matches %v = %v, want %v (%s)", tt.pattern, tt.steps, got, tt.want, tt.reason)
			}
		})
	}
}
