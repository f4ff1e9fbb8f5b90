package catalog_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/example/catalog"
	"github.com/shadowread/shadowread/internal/testenv"
)

// drifted is a small catalog copied to DynamoDB, then drifted: each kind
// of difference once, and one representation difference.
func drifted(t *testing.T) (*env, int64) {
	t.Helper()
	e := newEnv(t, testenv.DynamoDBEndpoint(t))
	e.seedSmall(t)
	e.backfill(t)
	ctx := context.Background()
	// Missing: product 3 and its variant; order 12.
	for _, k := range []map[string]types.AttributeValue{catalog.ProductKey(3), catalog.VariantKey(3, "P3")} {
		if _, err := e.ddb.Client().DeleteItem(ctx, deleteInput(e, k)); err != nil {
			t.Fatal(err)
		}
	}
	o12, err := e.pg.Order(ctx, 12)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.ddb.Client().DeleteItem(ctx, deleteInput(e, catalog.OrderKey(o12))); err != nil {
		t.Fatal(err)
	}
	// Changed: order 11's status, in DynamoDB only.
	o11, err := e.pg.Order(ctx, 11)
	if err != nil {
		t.Fatal(err)
	}
	update(t, e, catalog.OrderKey(o11), "SET #s = :v", map[string]string{"#s": "status"}, &types.AttributeValueMemberS{Value: "cancelled"})
	// Representation: product 1's updated_at in milliseconds.
	p1, err := e.pg.Product(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	update(t, e, catalog.ProductKey(1), "SET updated_at = :v", nil, catalog.TimeAttribute(p1.UpdatedAt.Truncate(time.Millisecond)))
	// Extra: an order written to DynamoDB alone.
	url := modeService(t, e, catalog.FixedWriteMode(catalog.WriteDynamoDB))
	var extra catalog.Order
	if status := request(t, http.MethodPost, url+"/customers/1/orders", `{"lines":[{"sku":"P2","quantity":1}]}`, &extra); status != http.StatusCreated {
		t.Fatalf("placing an order in DynamoDB: status %d", status)
	}
	return e, extra.ID
}

func update(t *testing.T, e *env, key map[string]types.AttributeValue, expr string, names map[string]string, v types.AttributeValue) {
	t.Helper()
	_, err := e.ddb.Client().UpdateItem(context.Background(), &awsddb.UpdateItemInput{
		TableName: ptr(e.ddb.Table()), Key: key, UpdateExpression: ptr(expr),
		ExpressionAttributeNames: names, ExpressionAttributeValues: map[string]types.AttributeValue{":v": v},
	})
	if err != nil {
		t.Fatal(err)
	}
}

type wantFinding struct {
	entity catalog.Entity
	id     int64
	kind   string
	path   string // the read endpoint that shows it
	reason string
}

func expectedFindings(extraOrder int64) []wantFinding {
	return []wantFinding{
		{catalog.EntityOrder, 11, catalog.FindingChanged, "/orders/11", "its status changed in DynamoDB only"},
		{catalog.EntityOrder, 12, catalog.FindingMissing, "/orders/12", "its item was deleted"},
		{catalog.EntityOrder, extraOrder, catalog.FindingExtra, fmt.Sprintf("/orders/%d", extraOrder), "written to DynamoDB alone"},
		{catalog.EntityProduct, 1, catalog.FindingAbsorbed, "/products/1", "a timestamp in milliseconds: the preset absorbs it"},
		{catalog.EntityProduct, 3, catalog.FindingMissing, "/products/3", "its items were deleted"},
	}
}

// checkFindings compares a report with the drift, and each finding's
// signature with the one the middleware would give the read endpoint's
// two responses.
func checkFindings(t *testing.T, e *env, r catalog.VerifyReport, want []wantFinding) {
	t.Helper()
	if len(r.Findings) != len(want) {
		t.Errorf("%d findings, want %d: %+v", len(r.Findings), len(want), r.Findings)
	}
	h := catalog.NewRouter(e.stores, nil)
	cmp := comparator.JSON(comparator.PostgresDynamoDB())
	for _, w := range want {
		i := slices.IndexFunc(r.Findings, func(f catalog.VerifyFinding) bool { return f.Entity == w.entity && f.ID == w.id })
		if i < 0 {
			t.Errorf("%s %d not found (%s)", w.entity, w.id, w.reason)
			continue
		}
		f := r.Findings[i]
		if f.Kind != w.kind {
			t.Errorf("%s %d: kind %s, want %s (%s)", w.entity, w.id, f.Kind, w.kind, w.reason)
		}
		ps, pb := fromStore(t, h, backends.Postgres, w.path)
		ds, db := fromStore(t, h, backends.DynamoDB, w.path)
		res := cmp.Compare(comparator.Response{Status: ps, Header: http.Header{"Content-Type": {"application/json"}}, Body: pb},
			comparator.Response{Status: ds, Header: http.Header{"Content-Type": {"application/json"}}, Body: db})
		if f.Signature != res.Signature() {
			t.Errorf("%s %d: signature %q, the middleware's on %s is %q", w.entity, w.id, f.Signature, w.path, res.Signature())
		}
	}
}

// TestVerifyFindsEachDrift: a missing item, an extra item and a changed
// field are found, a representation difference is absorbed, and only the
// ranges that differ are compared entity by entity.
func TestVerifyFindsEachDrift(t *testing.T) {
	e, extra := drifted(t)
	ctx := context.Background()
	run, err := catalog.NewVerifyRun(ctx, e.pg, catalog.WithVerifyRangeSize(2), catalog.WithVerifySegments(3))
	if err != nil {
		t.Fatal(err)
	}
	r, err := catalog.Verify(ctx, e.pg, e.ddb, run)
	if err != nil {
		t.Fatal(err)
	}
	checkFindings(t, e, r, expectedFindings(extra))
	if len(r.Differences()) != 4 {
		t.Errorf("%d differences, want 4: the absorbed one is not a difference", len(r.Differences()))
	}
	// Products 1-2 (absorbed), 3-4 (missing); orders 11-12, 21-22 (extra).
	// Orders 10 and 13-20 match.
	if r.Differing != 4 || r.Ranges <= r.Differing {
		t.Errorf("%d of %d ranges compared entity by entity, want 4: only those whose checksums differ", r.Differing, r.Ranges)
	}
	if r.PostgresRows != 3+6 || r.DynamoDBEntities != 2+6 {
		t.Errorf("counted %d rows in PostgreSQL and %d entities in DynamoDB, want 9 and 8", r.PostgresRows, r.DynamoDBEntities)
	}
}

// TestVerifyClean: after a backfill, nothing differs and nothing is
// compared entity by entity.
func TestVerifyClean(t *testing.T) {
	e := newEnv(t, testenv.DynamoDBEndpoint(t))
	e.seedSmall(t)
	e.backfill(t)
	ctx := context.Background()
	run, err := catalog.NewVerifyRun(ctx, e.pg, catalog.WithVerifyRangeSize(3), catalog.WithVerifySegments(2))
	if err != nil {
		t.Fatal(err)
	}
	r, err := catalog.Verify(ctx, e.pg, e.ddb, run, catalog.WithVerifyRate(1000))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Findings) != 0 || r.Differing != 0 || r.DynamoDBItems != 8+6 {
		t.Errorf("clean copy: %d findings, %d ranges compared, %d items; want 0, 0, 14", len(r.Findings), r.Differing, r.DynamoDBItems)
	}
}

// TestVerifyResumes stops a worker half way through a run; a second worker
// takes the run over where it stood and finds every drift.
func TestVerifyResumes(t *testing.T) {
	e, extra := drifted(t)
	run, err := catalog.NewVerifyRun(context.Background(), e.pg, catalog.WithVerifyRangeSize(1), catalog.WithVerifySegments(4))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stoppedAt catalog.VerifyProgress
	_, err = catalog.Verify(ctx, e.pg, e.ddb, run, catalog.WithVerifyProgress(func(p catalog.VerifyProgress) {
		if p.UnitsDone >= p.Units/2 && stoppedAt.Units == 0 {
			stoppedAt = p
			cancel()
		}
	}))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("stopped worker: %v, want context.Canceled", err)
	}
	var resumedAt catalog.VerifyProgress
	maxLeased := 0
	r, err := catalog.Verify(context.Background(), e.pg, e.ddb, run, catalog.WithVerifyProgress(func(p catalog.VerifyProgress) {
		if resumedAt.Units == 0 {
			resumedAt = p
		}
		maxLeased = max(maxLeased, p.Leased)
	}))
	if err != nil {
		t.Fatal(err)
	}
	if resumedAt.UnitsDone != stoppedAt.UnitsDone+1 {
		t.Errorf("the second worker's first unit made %d done, want %d: it resumes after the %d the first finished",
			resumedAt.UnitsDone, stoppedAt.UnitsDone+1, stoppedAt.UnitsDone)
	}
	if maxLeased != 0 {
		t.Errorf("%d units held after a unit was done by the only worker, want 0: a worker leases one unit at a time", maxLeased)
	}
	checkFindings(t, e, r, expectedFindings(extra))
}

// TestVerifySharedByTwoWorkers runs two workers on one run at once: every
// unit is done once, by one of them, and both return the same report.
func TestVerifySharedByTwoWorkers(t *testing.T) {
	e, extra := drifted(t)
	run, err := catalog.NewVerifyRun(context.Background(), e.pg, catalog.WithVerifyRangeSize(1), catalog.WithVerifySegments(4))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	reports := make([]catalog.VerifyReport, 2)
	errs := make([]error, 2)
	worked := make([]int, 2)
	var units int
	var mu sync.Mutex
	for i := range 2 {
		wg.Go(func() {
			reports[i], errs[i] = catalog.Verify(context.Background(), e.pg, e.ddb, run,
				catalog.WithVerifyProgress(func(p catalog.VerifyProgress) {
					mu.Lock()
					defer mu.Unlock()
					worked[i]++
					units = max(units, p.Units)
				}))
		})
	}
	wg.Wait()
	for i := range 2 {
		if errs[i] != nil {
			t.Fatalf("worker %d: %v", i, errs[i])
		}
		checkFindings(t, e, reports[i], expectedFindings(extra))
	}
	if worked[0]+worked[1] != units {
		t.Errorf("workers finished %d + %d units of %d: each unit must be done once", worked[0], worked[1], units)
	}
}

// TestRepairFindings repairs what a run found; a second run finds only the
// representation difference, which is no drift to repair.
func TestRepairFindings(t *testing.T) {
	e, _ := drifted(t)
	ctx := context.Background()
	verify := func() catalog.VerifyReport {
		run, err := catalog.NewVerifyRun(ctx, e.pg, catalog.WithVerifyRangeSize(4), catalog.WithVerifySegments(2))
		if err != nil {
			t.Fatal(err)
		}
		r, err := catalog.Verify(ctx, e.pg, e.ddb, run)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	n, err := catalog.RepairFindings(ctx, e.pg, e.ddb, verify().Findings)
	if err != nil || n != 4 {
		t.Fatalf("repaired %d (%v), want the 4 differences", n, err)
	}
	if after := verify(); len(after.Differences()) != 0 || len(after.Findings) != 1 {
		t.Errorf("after the repair: %+v; want only the absorbed difference of product 1", after.Findings)
	}
}

// TestVerifyManyWorkersFinishTogether runs runs with four workers that
// finish their counting at about the same time, so that several advance the
// run at once: none may end it before its comparisons ran.
func TestVerifyManyWorkersFinishTogether(t *testing.T) {
	e, extra := drifted(t)
	for round := range 5 {
		run, err := catalog.NewVerifyRun(context.Background(), e.pg, catalog.WithVerifyRangeSize(4), catalog.WithVerifySegments(4))
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		reports := make([]catalog.VerifyReport, 4)
		errs := make([]error, 4)
		for i := range 4 {
			wg.Go(func() { reports[i], errs[i] = catalog.Verify(context.Background(), e.pg, e.ddb, run) })
		}
		wg.Wait()
		for i := range 4 {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			if len(reports[i].Findings) != len(expectedFindings(extra)) {
				t.Fatalf("round %d, worker %d: %d findings, want %d: the run ended before its comparisons",
					round, i, len(reports[i].Findings), len(expectedFindings(extra)))
			}
		}
	}
}
