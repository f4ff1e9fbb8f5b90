package load

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestProfileComponents(t *testing.T) {
	f, err := os.Open("testdata/traces.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := ProfileComponents(f)
	if err != nil {
		t.Fatal(err)
	}
	ms := time.Millisecond
	tests := []struct {
		name   string
		want   time.Duration
		reason string
	}{
		{CompScheduler, 20*ms + 10*ms, "wake-ups and an idle M looking for work"},
		{CompMiddleware, 10*ms + 10*ms, "a GC assist is charged to the innermost component, the capture buffer; and the routing of package backends"},
		{CompPostgres, 30*ms + 10*ms, "a socket write inside pgx is PostgreSQL's, although the middleware is further out; so is the store's tracer"},
		{CompDynamoDB, 40*ms + 1010*ms, "the HTTP client's write loop and request signing"},
		{CompComparator, 10 * ms, "decoding in the comparator"},
		{CompTelemetry, 10*ms + 10*ms, "the OTel SDK under the recorder, and a span ended by the DynamoDB client's tracer"},
		{CompServer, 20 * ms, "the server's own socket write"},
		{CompGC, 30 * ms, "the background mark worker"},
		{CompOther, 10 * ms, "runtime work of no known kind"},
		{CompHandlers, 0, "no sample ends in the handlers themselves"},
	}
	for _, tt := range tests {
		if got[tt.name] != tt.want {
			t.Errorf("%s: %v, want %v (%s)", tt.name, got[tt.name], tt.want, tt.reason)
		}
	}
	for name := range got {
		if !strings.Contains(strings.Join(CPUComponents(), "\n"), name) {
			t.Errorf("component %q is not in CPUComponents", name)
		}
	}
}

func TestProfileComponentsRejectsOtherText(t *testing.T) {
	for _, tt := range []struct{ name, text, reason string }{
		{"empty", "", "no samples at all"},
		{"header only", "File: service\nType: cpu\n", "a profile without samples"},
		{"not a duration", "-----------+----\n  lots   runtime.main\n", "a sample line must start with its CPU time"},
	} {
		if _, err := ProfileComponents(strings.NewReader(tt.text)); err == nil {
			t.Errorf("%s: no error (%s)", tt.name, tt.reason)
		}
	}
}
