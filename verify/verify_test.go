package verify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/internal/testenv"
	"github.com/shadowread/shadowread/verify"
)

func newPool(t *testing.T, url string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// runOnce creates a run and works it with one worker.
func runOnce(t *testing.T, pool *pgxpool.Pool, f *fakeStores, opts ...verify.Option) verify.Report {
	t.Helper()
	v := verify.New(pool, f.scan, f.kinds(), opts...)
	ctx := context.Background()
	run, err := v.NewRun(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r, err := v.Work(ctx, run)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// problems lists a report's findings as "kind id problem".
func problems(r verify.Report) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, fmt.Sprintf("%s %d %s", f.Kind, f.ID, f.Problem))
	}
	slices.Sort(out)
	return out
}

// TestVerifyFindsEachDrift drifts a clean copy one way at a time; each
// drift is found as what it is, and nothing else is.
func TestVerifyFindsEachDrift(t *testing.T) {
	pool := newPool(t, testenv.NewDatabase(t))
	tests := []struct {
		name   string
		reason string
		drift  func(*fakeStores)
		want   []string
	}{
		{"clean", "the copy differs only in how decimals are written, which the hash does not see",
			func(*fakeStores) {}, nil},
		{"changed", "a status differs in the target",
			func(f *fakeStores) {
				f.edit(meta("order", 3), func(it *fakeItem) { it.Body = `{"id":3,"status":"lost","total":12.5}` })
			},
			[]string{"order 3 changed"}},
		{"missing", "the entity is only in the source",
			func(f *fakeStores) { f.remove(func(it fakeItem) bool { return it.Kind == "order" && it.ID == 4 }) },
			[]string{"order 4 missing_in_target"}},
		{"extra", "the entity is only in the target, beyond the source's last id",
			func(f *fakeStores) { f.add(expected("order", 99, `{"id":99}`)...) },
			[]string{"order 99 extra_in_target"}},
		{"partition key", "the item sits in another partition: the read path finds it, the key differs",
			func(f *fakeStores) { f.edit(meta("order", 5), func(it *fakeItem) { it.PK = "order#7" }) },
			[]string{"order 5 keys"}},
		{"index key", "a wrong index key hides the entity from the read path",
			func(f *fakeStores) { f.edit(meta("order", 6), func(it *fakeItem) { it.IDX = "order#600" }) },
			[]string{"order 6 keys", "order 6 missing_in_target"}},
		{"duplicate", "a second copy of the entity under another sort key",
			func(f *fakeStores) {
				dup := expected("order", 8, `{"id":8,"status":"s8","total":12.5}`)[0]
				dup.SK = "META#2"
				f.add(dup)
			},
			[]string{"order 8 duplicate"}},
		{"wrong type", "an undecodable item is a finding, and the run goes on to find the next drift",
			func(f *fakeStores) {
				f.edit(meta("order", 9), func(it *fakeItem) { it.Bad = `attribute "total" is a string` })
				f.edit(meta("order", 10), func(it *fakeItem) { it.Body = `{"id":10,"status":"lost","total":12.5}` })
			},
			[]string{"order 10 changed", "order 9 unreadable"}},
		{"orphan", "variant items of a product the source lacks, and an item of no kind",
			func(f *fakeStores) {
				f.add(fakeItem{Kind: "product", ID: 50, PK: "product#50", SK: "VARIANT#A"},
					fakeItem{PK: "junk", SK: "x", Unparsed: true})
			},
			[]string{" 0 orphan", "product 50 orphan"}},
		{"lost product item", "the product's META is gone, its variant is left",
			func(f *fakeStores) { f.remove(meta("product", 2)) },
			[]string{"product 2 keys", "product 2 missing_in_target"}},
		{"lost variant item", "the product reads the same (the body is on META), but an item is lacking",
			func(f *fakeStores) {
				f.remove(func(it fakeItem) bool { return it.Kind == "product" && it.ID == 3 && it.SK != "META" })
			},
			[]string{"product 3 keys"}},
		{"swapped within a range", "two entities of one range trade a value: the sum of their hashes changes",
			func(f *fakeStores) {
				f.edit(meta("order", 11), func(it *fakeItem) { it.Body = `{"id":11,"status":"s12","total":12.5}` })
				f.edit(meta("order", 12), func(it *fakeItem) { it.Body = `{"id":12,"status":"s11","total":12.5}` })
			},
			[]string{"order 11 changed", "order 12 changed"}},
		{"swapped across ranges", "two entities of two ranges trade a value",
			func(f *fakeStores) {
				f.edit(meta("product", 1), func(it *fakeItem) { it.Body = `{"id":1,"status":"s15","total":12.5}` })
				f.edit(meta("product", 15), func(it *fakeItem) { it.Body = `{"id":15,"status":"s1","total":12.5}` })
			},
			[]string{"product 1 changed", "product 15 changed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(20)
			tt.drift(f)
			r := runOnce(t, pool, f, verify.WithRangeSize(10), verify.WithSegments(3))
			if got := problems(r); !slices.Equal(got, tt.want) {
				t.Errorf("findings %q, want %q (%s)", got, tt.want, tt.reason)
			}
			if r.Phase != verify.PhaseDone || r.Ranges != 4 {
				t.Errorf("phase %s, %d ranges; want done, 4", r.Phase, r.Ranges)
			}
			if tt.want == nil && (r.Differing != 0 || !r.OK()) {
				t.Errorf("clean copy: %d ranges compared one by one, ok %v; want 0, true", r.Differing, r.OK())
			}
		})
	}
}

// TestVerifyFindingDetails: a changed body has the comparator's signature
// and triage, a key finding names the attribute, an unreadable item its
// reason and keys.
func TestVerifyFindingDetails(t *testing.T) {
	pool := newPool(t, testenv.NewDatabase(t))
	f := newFake(5)
	f.edit(meta("order", 1), func(it *fakeItem) { it.Body = `{"id":1,"status":"lost","total":12.5}` })
	f.edit(meta("order", 2), func(it *fakeItem) { it.IDX = "order#200" })
	f.edit(meta("order", 3), func(it *fakeItem) { it.Bad = `attribute "total" is a string` })
	r := runOnce(t, pool, f, verify.WithRangeSize(2))
	find := func(id int64, problem string) verify.Finding {
		t.Helper()
		i := slices.IndexFunc(r.Findings, func(f verify.Finding) bool { return f.ID == id && f.Problem == problem })
		if i < 0 {
			t.Fatalf("no %s finding for order %d in %q", problem, id, problems(r))
		}
		return r.Findings[i]
	}
	cmp := comparator.JSON(comparator.PostgresDynamoDB())
	want := cmp.Compare(jsonResponse(200, `{"id":1,"status":"s1","total":12.50}`), jsonResponse(200, `{"id":1,"status":"lost","total":12.5}`))
	if c := find(1, verify.ProblemChanged); c.Signature != want.Signature() || !slices.Equal(c.Fields, []string{"status"}) {
		t.Errorf("changed: signature %s fields %v, want the middleware's %s on status", c.Signature, c.Fields, want.Signature())
	}
	if m := find(2, verify.ProblemMissing); m.Triage != comparator.TriageDataLoss {
		t.Errorf("missing: triage %q, want data_loss: the read path answers 404", m.Triage)
	}
	if k := find(2, verify.ProblemKeys); !slices.Equal(k.Fields, []string{"IDX[]"}) || k.Signature == "" {
		t.Errorf("keys: fields %v signature %q, want IDX[] and a signature", k.Fields, k.Signature)
	}
	if u := find(3, verify.ProblemUnreadable); !strings.Contains(u.Reason, "total") || len(u.Keys) != 1 {
		t.Errorf("unreadable: reason %q keys %v, want the reason and the item's key", u.Reason, u.Keys)
	}
	var buf bytes.Buffer
	if err := r.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var gate struct {
		OK       bool           `json:"ok"`
		ByTriage map[string]int `json:"by_triage"`
		Groups   []verify.Group `json:"groups"`
	}
	if err := json.Unmarshal(buf.Bytes(), &gate); err != nil {
		t.Fatal(err)
	}
	if gate.OK || gate.ByTriage["data_loss"] != 1 || len(gate.Groups) != 4 {
		t.Errorf("JSON: ok %v, by triage %v, %d groups; want false, one data_loss, 4 groups", gate.OK, gate.ByTriage, len(gate.Groups))
	}
}

// TestVerifyAbsorbed: a difference the comparator's options absorb is
// filed as absorbed, not as a difference.
func TestVerifyAbsorbed(t *testing.T) {
	pool := newPool(t, testenv.NewDatabase(t))
	f := newFake(3)
	f.edit(meta("order", 2), func(it *fakeItem) { it.Body = `{"id":2,"status":"S2","total":12.5}` })
	r := runOnce(t, pool, f, verify.WithComparator(comparator.JSON(comparator.IgnorePaths("status"))))
	if got := problems(r); !slices.Equal(got, []string{"order 2 absorbed"}) || !r.OK() {
		t.Errorf("findings %q ok %v, want order 2 absorbed and ok", got, r.OK())
	}
}

// TestVerifyWorkersShareARunAndSurviveAKill runs four workers on one run;
// one of them dies holding a lease (its pool is gone, it cannot hand the
// unit back). The others take the unit over when the lease runs out, and
// the run ends with the findings one worker finds alone.
func TestVerifyWorkersShareARunAndSurviveAKill(t *testing.T) {
	url := testenv.NewDatabase(t)
	pool := newPool(t, url)
	f := newFake(40)
	f.edit(meta("order", 3), func(it *fakeItem) { it.Body = `{"id":3,"status":"lost","total":12.5}` })
	f.edit(meta("order", 17), func(it *fakeItem) { it.PK = "order#1" })
	f.edit(meta("product", 33), func(it *fakeItem) { it.Bad = "bad" })
	f.remove(meta("product", 8))
	opts := []verify.Option{verify.WithRangeSize(4), verify.WithSegments(4), verify.WithLease(time.Second)}
	alone := runOnce(t, pool, f, opts...)

	ctx := context.Background()
	run, err := verify.New(pool, f.scan, f.kinds(), opts...).NewRun(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The victim's first unit blocks until its pool is closed.
	victimPool := newPool(t, url)
	victimIn, kill := make(chan struct{}), make(chan struct{})
	victimKinds := (&fakeStores{source: f.source, block: func(ctx context.Context, kind string, lo int64) error {
		close(victimIn)
		<-kill
		return errors.New("killed")
	}}).kinds()
	var victimErr error
	var wg sync.WaitGroup
	wg.Go(func() {
		_, victimErr = verify.New(victimPool, f.scan, victimKinds, opts...).Work(ctx, run)
	})
	<-victimIn
	victimPool.Close()
	close(kill)
	reports := make([]verify.Report, 3)
	errs := make([]error, 3)
	for i := range 3 {
		wg.Go(func() { reports[i], errs[i] = verify.New(pool, f.scan, f.kinds(), opts...).Work(ctx, run) })
	}
	wg.Wait()
	if victimErr == nil {
		t.Error("the killed worker returned no error")
	}
	for i := range 3 {
		if errs[i] != nil {
			t.Fatalf("worker %d: %v", i, errs[i])
		}
		if got, want := problems(reports[i]), problems(alone); !slices.Equal(got, want) {
			t.Errorf("worker %d: findings %q, one worker alone found %q", i, got, want)
		}
	}
	if len(alone.Findings) != 5 {
		t.Errorf("one worker found %q, want 5 findings", problems(alone))
	}
}

// TestVerifyResumes stops a worker half way; a second one resumes the run
// where it stood.
func TestVerifyResumes(t *testing.T) {
	pool := newPool(t, testenv.NewDatabase(t))
	f := newFake(20)
	f.edit(meta("order", 19), func(it *fakeItem) { it.Body = `{"id":19}` })
	v := verify.New(pool, f.scan, f.kinds(), verify.WithRangeSize(2))
	run, err := v.NewRun(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stoppedAt verify.Progress
	_, err = verify.New(pool, f.scan, f.kinds(), verify.WithProgress(func(p verify.Progress) {
		if p.UnitsDone >= p.Units/2 && stoppedAt.Units == 0 {
			stoppedAt = p
			cancel()
		}
	})).Work(ctx, run)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("stopped worker: %v, want context.Canceled", err)
	}
	var resumedAt verify.Progress
	r, err := verify.New(pool, f.scan, f.kinds(), verify.WithRate(1e6), verify.WithProgress(func(p verify.Progress) {
		if resumedAt.Units == 0 {
			resumedAt = p
		}
	})).Work(context.Background(), run)
	if err != nil {
		t.Fatal(err)
	}
	if resumedAt.UnitsDone != stoppedAt.UnitsDone+1 {
		t.Errorf("the second worker's first unit made %d done, want %d", resumedAt.UnitsDone, stoppedAt.UnitsDone+1)
	}
	if got := problems(r); !slices.Equal(got, []string{"order 19 changed"}) {
		t.Errorf("findings %q, want order 19 changed", got)
	}
	if latest, finished, err := v.Latest(context.Background()); err != nil || latest != run || !finished {
		t.Errorf("Latest: %d %v %v, want %d finished", latest, finished, err, run)
	}
}

// TestNewPanics: misuse is refused at construction, with the fix.
func TestNewPanics(t *testing.T) {
	f := newFake(1)
	pool := &pgxpool.Pool{}
	tests := []struct {
		name   string
		reason string
		build  func()
	}{
		{"no pool", "runs are kept in PostgreSQL", func() { verify.New(nil, f.scan, f.kinds()) }},
		{"no scan", "the target must be scanned", func() { verify.New(pool, nil, f.kinds()) }},
		{"no kinds", "nothing to verify", func() { verify.New(pool, f.scan, nil) }},
		{"kind twice", "findings name kinds", func() { verify.New(pool, f.scan, append(f.kinds(), f.kinds()...)) }},
		{"kind without source", "a kind needs both sides", func() { verify.New(pool, f.scan, []verify.Kind{{Name: "x"}}) }},
		{"range size 0", "a range holds an id", func() { verify.WithRangeSize(0) }},
		{"segments 0", "a scan has a segment", func() { verify.WithSegments(0) }},
		{"negative rate", "0 is no bound", func() { verify.WithRate(-1) }},
		{"zero lease", "a lease must last", func() { verify.WithLease(0) }},
		{"nil progress", "leave the option out", func() { verify.WithProgress(nil) }},
		{"nil comparator", "leave the option out", func() { verify.WithComparator(nil) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if p, ok := recover().(string); !ok || !strings.HasPrefix(p, "verify: ") {
					t.Errorf("panic %v, want a verify: message (%s)", p, tt.reason)
				}
			}()
			tt.build()
		})
	}
}
