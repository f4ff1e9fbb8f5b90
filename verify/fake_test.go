package verify_test

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"net/http"
	"slices"
	"sync"

	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/verify"
)

// fakeItem is one item of the fake target: a single-table design where
// every item names its entity (Kind, ID), META items hold the body and a
// product has one variant item beside it; IDX is the index the read path
// finds an entity by.
type fakeItem struct {
	Kind     string
	ID       int64
	PK, SK   string
	IDX      string
	Body     string
	Bad      string // why the item cannot be decoded
	Unparsed bool   // an item of no kind
}

func (it fakeItem) key() verify.Key {
	k := verify.Key{"PK": it.PK, "SK": it.SK}
	if it.IDX != "" {
		k["IDX"] = it.IDX
	}
	return k
}

// fakeStores are a source (bodies by kind and id) and a target (items).
type fakeStores struct {
	mu     sync.Mutex
	source map[string]map[int64]string
	items  []fakeItem
	// block, when set, is called before the source lists a range.
	block func(ctx context.Context, kind string, lo int64) error
}

var fakeKinds = []string{"order", "product"}

// expected is what the target should hold for an entity.
func expected(kind string, id int64, body string) []fakeItem {
	pk := fmt.Sprintf("%s#%d", kind, id)
	items := []fakeItem{{Kind: kind, ID: id, PK: pk, SK: "META", IDX: pk, Body: body}}
	if kind == "product" {
		items = append(items, fakeItem{Kind: kind, ID: id, PK: pk, SK: "VARIANT#A"})
	}
	return items
}

// newFake holds n orders and n products, copied to the target with
// decimals as DynamoDB normalises them.
func newFake(n int) *fakeStores {
	f := &fakeStores{source: map[string]map[int64]string{}}
	for _, kind := range fakeKinds {
		f.source[kind] = map[int64]string{}
		for id := int64(1); id <= int64(n); id++ {
			f.source[kind][id] = fmt.Sprintf(`{"id":%d,"status":"s%d","total":12.50}`, id, id)
			f.items = append(f.items, expected(kind, id, fmt.Sprintf(`{"total":12.5,"id":%d,"status":"s%d"}`, id, id))...)
		}
	}
	return f
}

// edit changes the target's items for which match is true.
func (f *fakeStores) edit(match func(fakeItem) bool, change func(*fakeItem)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.items {
		if match(f.items[i]) {
			change(&f.items[i])
		}
	}
}

func (f *fakeStores) add(items ...fakeItem) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.items = append(f.items, items...)
}

func (f *fakeStores) remove(match func(fakeItem) bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.items = slices.DeleteFunc(f.items, match)
}

func meta(kind string, id int64) func(fakeItem) bool {
	return func(it fakeItem) bool { return it.Kind == kind && it.ID == id && it.SK == "META" }
}

func jsonResponse(status int, body string) comparator.Response {
	return comparator.Response{Status: status, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(body)}
}

func (f *fakeStores) kinds() []verify.Kind {
	var out []verify.Kind
	for _, kind := range fakeKinds {
		out = append(out, verify.Kind{
			Name: kind,
			MaxID: func(context.Context) (int64, error) {
				f.mu.Lock()
				defer f.mu.Unlock()
				var m int64
				for id := range f.source[kind] {
					m = max(m, id)
				}
				return m, nil
			},
			Source: func(ctx context.Context, lo, hi int64) ([]verify.Entity, error) {
				if f.block != nil {
					if err := f.block(ctx, kind, lo); err != nil {
						return nil, err
					}
				}
				f.mu.Lock()
				defer f.mu.Unlock()
				var out []verify.Entity
				for id, body := range f.source[kind] {
					if id < lo || id >= hi {
						continue
					}
					e := verify.Entity{Kind: kind, ID: id, Response: jsonResponse(http.StatusOK, body)}
					for _, it := range expected(kind, id, body) {
						e.Items = append(e.Items, it.key())
					}
					out = append(out, e)
				}
				return out, nil
			},
			Target: func(ctx context.Context, id int64) (verify.Entity, error) {
				f.mu.Lock()
				defer f.mu.Unlock()
				idx := fmt.Sprintf("%s#%d", kind, id)
				for _, it := range f.items {
					if it.IDX == idx && it.Body != "" {
						if it.Bad != "" {
							return verify.Entity{Kind: kind, ID: id, Err: errors.New(it.Bad)}, nil
						}
						return verify.Entity{Kind: kind, ID: id, Response: jsonResponse(http.StatusOK, it.Body)}, nil
					}
				}
				return verify.Entity{Kind: kind, ID: id, Response: jsonResponse(http.StatusNotFound, `{"error":"not found"}`)}, nil
			},
		})
	}
	return out
}

// scan visits the items whose partition key hashes to the segment,
// grouped by the entity they name; a second body of one entity is an
// entity of its own (a duplicate).
func (f *fakeStores) scan(ctx context.Context, segment, segments int, emit func(verify.Entity) error) error {
	f.mu.Lock()
	var items []fakeItem
	for _, it := range f.items {
		h := fnv.New32a()
		h.Write([]byte(it.PK))
		if int(h.Sum32()%uint32(segments)) == segment {
			items = append(items, it)
		}
	}
	f.mu.Unlock()
	type ref struct {
		kind string
		id   int64
	}
	var order []ref
	groups := map[ref][]fakeItem{}
	for _, it := range items {
		if it.Unparsed {
			if err := emit(verify.Entity{Items: []verify.Key{it.key()}}); err != nil {
				return err
			}
			continue
		}
		r := ref{it.Kind, it.ID}
		if groups[r] == nil {
			order = append(order, r)
		}
		groups[r] = append(groups[r], it)
	}
	for _, r := range order {
		e := verify.Entity{Kind: r.kind, ID: r.id}
		for _, it := range groups[r] {
			if it.Body != "" && (e.Response.Status != 0 || e.Err != nil) {
				// A second body: emit what we have, start again.
				if err := emit(e); err != nil {
					return err
				}
				e = verify.Entity{Kind: r.kind, ID: r.id}
			}
			e.Items = append(e.Items, it.key())
			switch {
			case it.Bad != "":
				e.Err = errors.New(it.Bad)
			case it.Body != "":
				e.Response = jsonResponse(http.StatusOK, it.Body)
			}
		}
		if err := emit(e); err != nil {
			return err
		}
	}
	return nil
}
