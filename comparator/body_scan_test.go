package comparator

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// scanned reports whether scanEqual proves b equal to a under c, as
// diffBodies would ask it.
func scanned(t *testing.T, c *jsonComparator, a, b []byte) bool {
	t.Helper()
	x, fx := decode(a)
	if fx != "" {
		return false
	}
	if err := c.normalize(x); err != nil {
		t.Fatal(err)
	}
	return c.scanEqual(x, b, new(buffers))
}

// TestScanEqual checks the verdict of comparisons that the scan of the
// shadow decides or leaves to the full comparison: each must equal the
// full comparison's, and the scan must prove the equal pairs it is meant
// to take.
func TestScanEqual(t *testing.T) {
	deep := func(n int, leaf string) string {
		return strings.Repeat(`{"a":[`, n) + leaf + strings.Repeat(`]}`, n)
	}
	tests := []struct {
		name   string
		opts   []Option
		a, b   string
		equal  bool
		byScan bool // the scan proves it (equal pairs only)
		reason string
	}{
		{"reordered keys", nil, `{"b":1,"a":{"d":2,"c":3}}`, `{"a":{"c":3,"d":2},"b":1}`, true, true, "members in any order"},
		{"sorted shadow", nil, `{"z":1,"y":2,"x":3}`, `{"x":3,"y":2,"z":1}`, true, true, "the DynamoDB side's sorted keys"},
		{"number forms", nil, `[12.50,1e2,-0.0,100]`, `[12.5,100,0,1.00e2]`, true, true, "numbers equal by value"},
		{"number changed", nil, `{"a":12.50}`, `{"a":12.51}`, false, false, "a changed number"},
		{"type changed", nil, `{"a":1}`, `{"a":"1"}`, false, false, "a number is no string"},
		{"numeric strings", []Option{NumericStrings()}, `{"a":1}`, `{"a":"1.0"}`, true, true, "under NumericStrings a string may hold the number"},
		{"missing member", nil, `{"a":1,"b":2}`, `{"a":1}`, false, false, "a member the shadow lacks"},
		{"extra member", nil, `{"a":1}`, `{"a":1,"b":2}`, false, false, "a member the primary lacks"},
		{"null missing", []Option{NullEqualsMissing()}, `{"a":1,"n":null}`, `{"a":1}`, true, true, "a null member is an absent one"},
		{"null extra", []Option{NullEqualsMissing()}, `{"a":1}`, `{"n":null,"a":1}`, true, true, "on either side"},
		{"empty extra", []Option{EmptyEqualsMissing(), NullEqualsMissing()}, `{"a":1}`, `{"e":{"x":null,"y":[]},"a":1}`, true, true, "an object empty once its absent members are dropped"},
		{"null not missing", nil, `{"a":1}`, `{"a":1,"n":null}`, false, false, "null is a value without the option"},
		{"ignored", []Option{IgnorePaths("items[*].at")}, `{"items":[{"id":1,"at":"x"}]}`, `{"items":[{"at":"y","id":1}]}`, true, true, "an ignored member may differ"},
		{"ignored but broken", []Option{IgnorePaths("at")}, `{"at":1}`, `{"at":[1,}`, false, false, "ignored values are still read as JSON"},
		{"ignored with duplicate", []Option{IgnorePaths("at")}, `{"at":1}`, `{"at":{"k":1,"k":2}}`, false, false, "a repeated key inside an ignored value"},
		{"ignored elements", []Option{IgnorePaths("[*]")}, `[1,2]`, `[3]`, true, true, "every element ignored"},
		{"rules and empty", []Option{IgnorePaths("x"), EmptyEqualsMissing(), NullEqualsMissing()}, `{"a":1}`, `{"a":1,"e":{"n":null}}`, true, false, "empty only after normalisation: left to the full comparison"},
		{"duplicate key", nil, `{"a":1,"b":2}`, `{"a":1,"b":2,"a":1}`, false, false, "a repeated key is no document"},
		{"duplicate absent key", []Option{NullEqualsMissing()}, `{"a":1}`, `{"n":null,"a":1,"n":null}`, false, false, "repeated among the absent members"},
		{"duplicate escaped key", nil, `{"a":1,"b":2}`, `{"a":1,"b":2,"\u0061":1}`, false, false, "the same name escaped"},
		{"escaped string", nil, `{"s":"é\n"}`, `{"s":"\u00e9\n"}`, true, true, "strings compare by value"},
		{"invalid JSON", nil, `{"a":1}`, `{"a":1`, false, false, "a cut body"},
		{"trailing data", nil, `{"a":1}`, `{"a":1} x`, false, false, "one document only"},
		{"trailing space", nil, `{"a":1}`, "{\"a\":1} \n", true, true, "space after the document"},
		{"invalid UTF-8", nil, `{"a":"x"}`, "{\"a\":\"x\",\"b\":\"\xff\"}", false, false, "raw invalid bytes"},
		{"lone surrogate", []Option{IgnorePaths("b")}, `{"a":"x"}`, `{"a":"x","b":"\ud800"}`, false, false, "a lone surrogate, even ignored"},
		{"deep equal", nil, deep(MaxDepth/2-1, "1"), deep(MaxDepth/2-1, "1.0"), true, true, "nesting within MaxDepth"},
		{"too deep", nil, deep(MaxDepth/2-1, "1"), deep(MaxDepth/2+1, "1"), false, false, "deeper than MaxDepth"},
		{"array longer", nil, `[1,2]`, `[1,2,3]`, false, false, "an extra element"},
		{"array shorter", nil, `[1,2,3]`, `[1,2]`, false, false, "a missing element"},
		{"unordered", []Option{UnorderedPaths("a")}, `{"a":[1,2]}`, `{"a":[2,1]}`, true, false, "out of place: left to the full comparison"},
		{"keyed", []Option{KeyedArrays("**", "id")}, `[{"id":1},{"id":2}]`, `[{"id":2},{"id":1}]`, true, false, "matched by key in the full comparison"},
		{"keyed in place", []Option{KeyedArrays("**", "id")}, `[{"id":1,"v":"a"}]`, `[{"v":"a","id":1.0}]`, true, true, "in place: equal whichever way matched"},
		{"timestamps", []Option{PostgresDynamoDB()}, `{"at":"2024-05-01T10:00:00.123456Z"}`, `{"at":"2024-05-01T10:00:00.123Z"}`, true, true, "the preset's millisecond precision"},
		{"timestamps apart", []Option{PostgresDynamoDB()}, `{"at":"2024-05-01T10:00:00.123456Z"}`, `{"at":"2024-05-01T10:00:00.125Z"}`, false, false, "two milliseconds apart"},
		{"scalar root", nil, `"x"`, ` "x"`, true, true, "a document that is one value"},
		{"container for scalar", nil, `{"a":1}`, `{"a":[1]}`, false, false, "an array is no number"},
		{"scalar for container", nil, `{"a":[1]}`, `{"a":1}`, false, false, "a number is no array"},
		{"empty body", nil, `{}`, ``, false, false, "no document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := JSON(tt.opts...).(*jsonComparator)
			full := JSON(tt.opts...).(*jsonComparator)
			full.noScan = true
			p, s := Response{Status: 200, Body: []byte(tt.a)}, Response{Status: 200, Body: []byte(tt.b)}
			got, want := c.Compare(p, s), full.Compare(p, s)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("scanned %+v, full %+v (%s)", got, want, tt.reason)
			}
			if got.Equal != tt.equal {
				t.Errorf("Equal = %v, want %v (%s)", got.Equal, tt.equal, tt.reason)
			}
			if by := scanned(t, c, p.Body, s.Body); by != tt.byScan {
				t.Errorf("scan proved equal: %v, want %v (%s)", by, tt.byScan, tt.reason)
			}
		})
	}
}

// TestScanEqualSizes checks large documents both ways, equal and with one
// value changed at the start, the middle and the end.
func TestScanEqualSizes(t *testing.T) {
	c := JSON(PostgresDynamoDB()).(*jsonComparator)
	for _, n := range []int{10, 1000, 20000} { // up to about 1 MB
		var a, b strings.Builder
		a.WriteString(`{"items":[`)
		b.WriteString(`{"items":[`)
		for i := range n {
			if i > 0 {
				a.WriteByte(',')
				b.WriteByte(',')
			}
			fmt.Fprintf(&a, `{"id":%d,"name":"item %d","price":%d.50,"tags":["x"],"note":null}`, i, i, i)
			fmt.Fprintf(&b, `{"note":null,"tags":["x"],"price":%d.5,"name":"item %d","id":%d}`, i, i, i)
		}
		a.WriteString(`]}`)
		b.WriteString(`]}`)
		primary := []byte(a.String())
		if !scanned(t, c, primary, []byte(b.String())) {
			t.Fatalf("%d items: not proved equal", n)
		}
		for _, at := range []int{0, n / 2, n - 1} {
			changed := strings.Replace(b.String(), fmt.Sprintf(`"name":"item %d"`, at), fmt.Sprintf(`"name":"item %dx"`, at), 1)
			res := c.Compare(Response{Status: 200, Body: primary}, Response{Status: 200, Body: []byte(changed)})
			if res.Equal || len(res.Diffs) != 1 || res.Diffs[0].Field != "items[].name" {
				t.Fatalf("%d items, item %d changed: %+v", n, at, res)
			}
		}
	}
}

// TestScanTwin checks shadows that differ from the primary in scalars:
// where nothing else differs the scan reads them to their end, and the
// differences found against the primary's tree with the shadow's scalars
// written in must be the full comparison's, values, hints and limit
// included.
func TestScanTwin(t *testing.T) {
	preset := []Option{PostgresDynamoDB(), ShowValues()}
	items := `{"items":[{"id":1,"price":12.50,"at":"2024-05-01T10:00:00.123456Z","s":"a\u00e9"},{"id":2,"price":3.10,"at":"2024-05-01T10:00:01.000000Z","s":"b"}]}`
	tests := []struct {
		name string
		opts []Option
		a, b string
		read bool // the scan read the whole shadow
	}{
		{"one price", preset, items, `{"items":[{"at":"2024-05-01T10:00:00.123Z","id":1,"price":12.5,"s":"aé"},{"id":2,"price":3.2,"at":"2024-05-01T10:00:01Z","s":"b"}]}`, true},
		{"key changed", preset, items, `{"items":[{"at":"2024-05-01T10:00:00.123Z","id":1,"price":12.5,"s":"aé"},{"id":3,"price":3.1,"at":"2024-05-01T10:00:01Z","s":"b"}]}`, true},
		{"keys swapped", preset, items, `{"items":[{"at":"2024-05-01T10:00:00.123Z","id":2,"price":12.5,"s":"aé"},{"id":1,"price":3.1,"at":"2024-05-01T10:00:01Z","s":"b"}]}`, true},
		{"key as string", preset, items, `{"items":[{"at":"2024-05-01T10:00:00.123Z","id":"1","price":12.5,"s":"aé"},{"id":2,"price":3.1,"at":"2024-05-01T10:00:01Z","s":"b"}]}`, true},
		{"escaped string", preset, items, `{"items":[{"at":"2024-05-01T10:00:00.123Z","id":1,"price":12.5,"s":"a\u00e8"},{"id":2,"price":3.1,"at":"2024-05-01T10:00:01Z","s":"b"}]}`, true},
		{"timestamp apart", preset, items, `{"items":[{"at":"2024-05-01T10:00:00.125Z","id":1,"price":12.5,"s":"aé"},{"id":2,"price":3.1,"at":"2024-05-01T10:00:01Z","s":"b"}]}`, true},
		{"limit", []Option{MaxDiffs(2)}, `[1,2,3,4,5,{"a":true}]`, `[1.0,7,8,9,5,{"a":false}]`, true},
		{"reversed", nil, `[1,2,3]`, `[3,2,1]`, true},
		{"left out", nil, `[1,2,3]`, `[1,3,3]`, true},
		{"bool and null", nil, `{"a":[true,null,"x"]}`, `{"a":[null,false,1]}`, true},
		{"null in array", []Option{NullEqualsMissing()}, `[1,2]`, `[1,null]`, false},
		{"null member", []Option{NullEqualsMissing()}, `{"a":1,"b":2}`, `{"a":1,"b":null}`, false},
		{"numeric strings", []Option{NumericStrings()}, `{"a":1,"b":"2"}`, `{"a":"1.5","b":2.0}`, true},
		{"scalar root changed", nil, `"x"`, `"y"`, true},
		{"and a member more", nil, `{"a":1}`, `{"a":2,"b":3}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := JSON(tt.opts...).(*jsonComparator)
			full := JSON(tt.opts...).(*jsonComparator)
			full.noScan = true
			p, s := Response{Status: 200, Body: []byte(tt.a)}, Response{Status: 200, Body: []byte(tt.b)}
			got, want := c.Compare(p, s), full.Compare(p, s)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("scanned %+v, full %+v", got, want)
			}
			x, fx := decode(p.Body)
			if fx != "" {
				t.Fatal(fx)
			}
			if err := c.normalize(x); err != nil {
				t.Fatal(err)
			}
			b := new(buffers)
			if c.scanEqual(x, s.Body, b) || b.read != tt.read {
				t.Errorf("scan read the whole shadow: %v, want %v", b.read, tt.read)
			}
		})
	}
}
