package routes_test

import (
	"fmt"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/internal/routes"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type state struct{ route string }

func newTable(max int) *routes.Table[state] {
	return routes.New(max, backends.OverflowRoute, func(route string) *state { return &state{route: route} })
}

func TestTableBound(t *testing.T) {
	tab := newTable(2)
	tests := []struct {
		name, route, want string
		reason            string
	}{
		{"first", "/a", "/a", "a route gets its own value"},
		{"again", "/a", "/a", "the same value on every use"},
		{"second", "/b", "/b", "up to max routes have their own"},
		{"beyond", "/c", backends.OverflowRoute, "further routes share the overflow value"},
		{"beyond again", "/d", backends.OverflowRoute, "every further route shares it"},
		{"named overflow", backends.OverflowRoute, backends.OverflowRoute, "the overflow route's name is the overflow value"},
		{"known", "/b", "/b", "routes added before the bound keep theirs"},
	}
	for _, tt := range tests {
		if got := tab.Get(tt.route).route; got != tt.want {
			t.Errorf("%s: Get(%q) is the value of %q, want %q: %s", tt.name, tt.route, got, tt.want, tt.reason)
		}
	}
	if tab.Get("/c") != tab.Get(backends.OverflowRoute) {
		t.Error("routes beyond the bound and the overflow route got different values, want one shared")
	}
	if got := len(tab.All()); got != 3 {
		t.Errorf("All() has %d values, want 3: two routes and the overflow route", got)
	}
	if last := tab.All()[2].route; last != backends.OverflowRoute {
		t.Errorf("All() ends with %q, want the overflow route last", last)
	}
}

func TestTableFind(t *testing.T) {
	tab := newTable(1)
	if tab.Find("/a") != nil || tab.Find(backends.OverflowRoute) != nil {
		t.Fatal("Find on an empty table returned a value, want nil: Find never adds")
	}
	tab.Get("/a")
	if tab.Full() != true {
		t.Error("Full() = false with max routes added, want true")
	}
	if tab.Find("/b") != nil {
		t.Error("Find(/b) returned a value for a route never added, want nil: Find does not fold into overflow")
	}
	if got := len(tab.All()); got != 1 {
		t.Errorf("All() has %d values before the overflow route is used, want 1", got)
	}
}

func TestTableConcurrent(t *testing.T) {
	tab := newTable(8)
	var wg sync.WaitGroup
	got := make([]*state, 16)
	for i := range got {
		wg.Go(func() { got[i] = tab.Get(fmt.Sprint("/r", i%4)) })
	}
	wg.Wait()
	for i := range got {
		if got[i] != got[i%4] {
			t.Errorf("Get(/r%d) gave two values to concurrent callers, want one", i%4)
		}
	}
}
