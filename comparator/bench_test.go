package comparator_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/shadowread/shadowread/comparator"
)

// benchBodies returns a catalogue page of about size bytes as PostgreSQL
// would serve it, the same page as DynamoDB would (equal under the
// PostgresDynamoDB preset: other number spellings, millisecond timestamps,
// absent instead of null, keys in another order), that DynamoDB page with
// the price of every tenth item changed, and with one price changed, in the
// middle of the page.
func benchBodies(size int) (primary, equivalent, mismatch, oneField []byte) {
	var pg, ddb, changed []map[string]any
	var items []byte // the primary's items, written as they come
	base := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	for i := 0; ; i++ {
		at := base.Add(time.Duration(i)*time.Minute + 123456*time.Microsecond)
		tags := []any{"garden", "tools", fmt.Sprintf("batch-%d", i%7)}
		if i%4 == 0 {
			tags = []any{}
		}
		item := map[string]any{
			"id": i + 1000, "sku": fmt.Sprintf("SKU-%06d", i), "name": fmt.Sprintf("Hedge trimmer model %d", i),
			"price": json.Number(fmt.Sprintf("%d.50", 10+i%90)), "currency": "EUR", "stock": i % 13,
			"tags": tags, "note": nil, "updated_at": at.Format("2006-01-02T15:04:05.000000Z07:00"),
			"attributes": map[string]any{"colour": "green", "weight_kg": json.Number("2.40")},
		}
		pg = append(pg, item)
		other := map[string]any{}
		for k, v := range item {
			other[k] = v
		}
		delete(other, "note")
		if i%4 == 0 {
			other["tags"] = nil
		}
		other["price"] = json.Number(fmt.Sprintf("%d.5", 10+i%90))
		other["updated_at"] = at.Truncate(time.Millisecond).Format("2006-01-02T15:04:05.000Z07:00")
		other["attributes"] = map[string]any{"colour": "green", "weight_kg": json.Number("2.4")}
		ddb = append(ddb, other)
		third := map[string]any{}
		for k, v := range other {
			third[k] = v
		}
		if i%10 == 0 {
			third["price"] = json.Number(fmt.Sprintf("%d.75", 10+i%90))
		}
		changed = append(changed, third)
		items = appendOrdered(items, item)
		if len(items)+len(`{"count":,"items":[]}`)+len(fmt.Sprint(len(pg))) >= size {
			break
		}
	}
	primary = append([]byte(`{"count":`+fmt.Sprint(len(pg))+`,"items":[`), items...)
	primary = append(primary, "]}"...)
	one := slices.Clone(ddb)
	mid := maps.Clone(one[len(one)/2])
	mid["price"] = json.Number("1.25")
	one[len(one)/2] = mid
	return primary, mustMarshal(map[string]any{"items": ddb, "count": len(ddb)}),
		mustMarshal(map[string]any{"items": changed, "count": len(changed)}),
		mustMarshal(map[string]any{"items": one, "count": len(one)})
}

// appendOrdered appends an item of the PostgreSQL page to the list b, with
// members in struct order (as a handler's struct would), unlike the sorted
// map order.
func appendOrdered(b []byte, it map[string]any) []byte {
	if len(b) > 0 {
		b = append(b, ',')
	}
	b = append(b, '{')
	for j, k := range []string{"id", "sku", "name", "price", "currency", "stock", "tags", "note", "updated_at", "attributes"} {
		if j > 0 {
			b = append(b, ',')
		}
		b = append(b, mustMarshal(k)...)
		b = append(b, ':')
		b = append(b, mustMarshal(it[k])...)
	}
	return append(b, '}')
}

func mustMarshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func BenchmarkCompare(b *testing.B) {
	c := comparator.JSON(comparator.PostgresDynamoDB())
	for _, size := range []int{1 << 10, 10 << 10, 100 << 10, 1 << 20} {
		primary, equivalent, mismatch, oneField := benchBodies(size)
		p := comparator.Response{Status: 200, Body: primary}
		name := fmt.Sprintf("%dKB", size>>10)
		if res := c.Compare(p, comparator.Response{Status: 200, Body: equivalent}); !res.Equal {
			b.Fatalf("%s: equivalent bodies differ: %v", name, res.Diffs)
		}
		if res := c.Compare(p, comparator.Response{Status: 200, Body: mismatch}); res.Equal {
			b.Fatalf("%s: changed bodies match", name)
		}
		if res := c.Compare(p, comparator.Response{Status: 200, Body: oneField}); len(res.Diffs) != 1 {
			b.Fatalf("%s: one changed field gives %v", name, res.Diffs)
		}
		b.Run(name+"/baseline-unmarshal-both", func(b *testing.B) {
			b.SetBytes(int64(len(primary) + len(equivalent)))
			b.ReportAllocs()
			for b.Loop() {
				var x, y any
				if json.Unmarshal(primary, &x) != nil || json.Unmarshal(equivalent, &y) != nil {
					b.Fatal("unmarshal failed")
				}
			}
		})
		for _, sc := range []struct {
			name string
			body []byte
		}{
			{"identical", slices.Clone(primary)}, // a copy: equal pointers would short-cut bytes.Equal
			{"equivalent", equivalent},
			{"mismatch", mismatch},
			{"one-field", oneField},
		} {
			s := comparator.Response{Status: 200, Body: sc.body}
			b.Run(name+"/"+sc.name, func(b *testing.B) {
				b.SetBytes(int64(len(primary) + len(sc.body)))
				b.ReportAllocs()
				for b.Loop() {
					c.Compare(p, s)
				}
			})
		}
	}
}

// BenchmarkCompareUnordered compares a long unordered array with its
// reverse: the worst order for the same-position-first search.
func BenchmarkCompareUnordered(b *testing.B) {
	var x, y []any
	for i := range 1000 {
		x = append(x, map[string]any{"id": fmt.Sprintf("id-%d", i), "qty": i})
	}
	for i := range x {
		y = append(y, x[len(x)-1-i])
	}
	p := comparator.Response{Status: 200, Body: mustMarshal(map[string]any{"lines": x})}
	s := comparator.Response{Status: 200, Body: mustMarshal(map[string]any{"lines": y})}
	c := comparator.JSON(comparator.UnorderedPaths("lines"))
	if !c.Compare(p, s).Equal {
		b.Fatal("reversed unordered array differs")
	}
	b.ReportAllocs()
	for b.Loop() {
		c.Compare(p, s)
	}
}
