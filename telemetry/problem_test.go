package telemetry_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/shadowread/shadowread/telemetry"
)

// TestProblemBanner: the report asks its problem sources on every render and
// shows each problem, the errors of a joined one apart, as a banner; a source
// that panics is a problem, not a broken page.
func TestProblemBanner(t *testing.T) {
	var broken atomic.Bool
	tests := []struct {
		name    string
		sources []func() error
		broken  bool
		want    []string
		reason  string
	}{
		{"no source", nil, false, nil, "nothing to say"},
		{"fine", []func() error{func() error { return nil }, nil}, false, nil, "a nil problem is no banner; a nil source is ignored"},
		{"broken now", []func() error{func() error {
			if broken.Load() {
				return errors.New("middleware: no flags: pass middleware.WithFlags(...)")
			}
			return nil
		}}, true, []string{"middleware: no flags: pass middleware.WithFlags(...)"}, "asked on each render, not once"},
		{"joined", []func() error{func() error { return errors.Join(errors.New("first <b>"), errors.New("second")) }}, false,
			[]string{"first <b>", "second"}, "each error of a join is a banner of its own"},
		{"panics", []func() error{func() error { panic("boom") }}, false,
			[]string{"telemetry: a problem source panicked: boom"}, "the page still renders"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			broken.Store(false)
			rec := telemetry.New(nil, nil)
			for _, f := range tt.sources {
				rec.AddProblemSource(f)
			}
			if got := rec.Report().Problems; len(got) != 0 && tt.broken {
				t.Fatalf("Problems before = %q, want none", got)
			}
			broken.Store(tt.broken)
			if got := rec.Report().Problems; !slices.Equal(got, tt.want) {
				t.Errorf("Problems = %q, want %q (%s)", got, tt.want, tt.reason)
			}
			w := httptest.NewRecorder()
			rec.ReportHandler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
			page := w.Body.String()
			if n := strings.Count(page, `<div class="problem"`); n != len(tt.want) {
				t.Errorf("%d banners on the page, want %d (%s)", n, len(tt.want), tt.reason)
			}
			if strings.Contains(page, "first <b>") {
				t.Error("a problem is written into the page unescaped")
			}
		})
	}
}

// TestMultiProblemSource: Multi hands a problem source to the recorders
// that show problems.
func TestMultiProblemSource(t *testing.T) {
	rec := telemetry.New(nil, nil)
	m := telemetry.Multi(telemetry.Nop{}, rec)
	p, ok := m.(interface{ AddProblemSource(func() error) })
	if !ok {
		t.Fatal("Multi's recorder does not take problem sources")
	}
	p.AddProblemSource(func() error { return errors.New("no flags") })
	if got := rec.Report().Problems; !slices.Equal(got, []string{"no flags"}) {
		t.Errorf("Problems = %q, want the source's", got)
	}
}
