package backfill_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/shadowread/shadowread/example/internal/backfill"
	"github.com/shadowread/shadowread/example/internal/catalogtest"
	"github.com/shadowread/shadowread/internal/testenv"
)

// seedSmall's rows (2 customers, 3 products, 6 orders) and items.
const (
	smallRows  = 2 + 3 + 6
	smallItems = 2 + smallProductItems + smallOrderItems
)

func sum(stats ...backfill.Stats) (rows, written, skipped int64) {
	for _, s := range stats {
		for _, p := range s {
			rows, written, skipped = rows+p.Rows, written+p.Written, skipped+p.Skipped
		}
	}
	return rows, written, skipped
}

// TestBackfillSharedByTwoProcesses runs two shared backfills at once:
// together they copy every range once, and a third finds nothing to do.
func TestBackfillSharedByTwoProcesses(t *testing.T) {
	e := catalogtest.NewEnv(t, testenv.DynamoDBEndpoint(t))
	e.SeedSmall(t)
	var wg sync.WaitGroup
	stats := make([]backfill.Stats, 2)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Go(func() {
			stats[i], errs[i] = backfill.RunShared(context.Background(), e.PG, e.DDB, time.Minute,
				backfill.WithRangeSize(1), backfill.WithConcurrency(2, 1))
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if rows, written, skipped := sum(stats...); rows != smallRows || written != smallItems || skipped != 0 {
		t.Errorf("together: %d rows, %d written, %d skipped; want %d, %d, 0: each range copied once", rows, written, skipped, smallRows, smallItems)
	}
	third, err := backfill.RunShared(context.Background(), e.PG, e.DDB, time.Minute, backfill.WithRangeSize(1))
	if rows, _, _ := sum(third); err != nil || rows != 0 {
		t.Errorf("a third backfill read %d rows (%v), want none", rows, err)
	}
	catalogtest.AssertSame(t, e, []int64{10, 11, 12, 13, 14, 20})
}

// TestBackfillSharedResumes stops a shared backfill after its first range;
// the next one copies the rest and only the rest.
func TestBackfillSharedResumes(t *testing.T) {
	e := catalogtest.NewEnv(t, testenv.DynamoDBEndpoint(t))
	e.SeedSmall(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	first, err := backfill.RunShared(ctx, e.PG, e.DDB, time.Minute, backfill.WithRangeSize(1), backfill.WithConcurrency(1, 1),
		backfill.WithProgress(func(backfill.Progress) { cancel() }))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("stopped backfill: %v, want context.Canceled", err)
	}
	second, err := backfill.RunShared(context.Background(), e.PG, e.DDB, time.Minute, backfill.WithRangeSize(1))
	if err != nil {
		t.Fatal(err)
	}
	r1, _, _ := sum(first)
	r2, w2, _ := sum(second)
	if r1 != 1 || r1+r2 != smallRows || w2 != smallItems-1 {
		t.Errorf("first %d rows, second %d rows and %d items; want 1, %d and %d", r1, r2, w2, smallRows-1, smallItems-1)
	}
	catalogtest.AssertSame(t, e, []int64{10, 20})
}
