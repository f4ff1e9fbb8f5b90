package verification_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/backends/dynamodb"
	"github.com/shadowread/shadowread/backends/postgres"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/example/internal/catalog"
	"github.com/shadowread/shadowread/example/internal/catalogtest"
	"github.com/shadowread/shadowread/example/internal/verification"
	"github.com/shadowread/shadowread/internal/testenv"
	"github.com/shadowread/shadowread/verify"
)

// getItem reads an item of the table.
func getItem(t *testing.T, e *catalogtest.Env, key map[string]types.AttributeValue) map[string]types.AttributeValue {
	t.Helper()
	out, err := e.DDB.Client().GetItem(context.Background(), &awsddb.GetItemInput{TableName: catalogtest.Ptr(e.DDB.Table()), Key: key, ConsistentRead: catalogtest.Ptr(true)})
	if err != nil || out.Item == nil {
		t.Fatalf("get %v: %v (found %v)", key, err, out != nil && out.Item != nil)
	}
	return out.Item
}

func putItem(t *testing.T, e *catalogtest.Env, item map[string]types.AttributeValue) {
	t.Helper()
	if _, err := e.DDB.Client().PutItem(context.Background(), &awsddb.PutItemInput{TableName: catalogtest.Ptr(e.DDB.Table()), Item: item}); err != nil {
		t.Fatal(err)
	}
}

func deleteItem(t *testing.T, e *catalogtest.Env, key map[string]types.AttributeValue) {
	t.Helper()
	if _, err := e.DDB.Client().DeleteItem(context.Background(), catalogtest.DeleteInput(e, key)); err != nil {
		t.Fatal(err)
	}
}

func orderKey(t *testing.T, e *catalogtest.Env, id int64) map[string]types.AttributeValue {
	t.Helper()
	o, err := e.PG.Order(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return catalog.OrderKey(o)
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

// setAttr changes one attribute of an item in place.
func setAttr(t *testing.T, e *catalogtest.Env, key map[string]types.AttributeValue, name string, v types.AttributeValue) {
	t.Helper()
	item := getItem(t, e, key)
	item[name] = v
	putItem(t, e, item)
}

// driftedCatalog is a small catalog copied to DynamoDB, then drifted the
// ways a real migration drifts, each once.
func driftedCatalog(t *testing.T) *catalogtest.Env {
	t.Helper()
	e := catalogtest.NewEnv(t, testenv.DynamoDBEndpoint(t))
	e.SeedSmall(t)
	e.Backfill(t)
	// Partition key: order 11 moved into customer 2's partition.
	o11 := getItem(t, e, orderKey(t, e, 11))
	deleteItem(t, e, orderKey(t, e, 11))
	o11["PK"] = s("CUSTOMER#2")
	putItem(t, e, o11)
	// Index key: order 12's GSI1PK names another order.
	setAttr(t, e, orderKey(t, e, 12), "GSI1PK", s("ORDER#999"))
	// Duplicate: a second item of order 13 under another sort key.
	o13 := getItem(t, e, orderKey(t, e, 13))
	o13["SK"] = s(o13["SK"].(*types.AttributeValueMemberS).Value + "-copy")
	putItem(t, e, o13)
	// Wrong type: order 14's total is a String.
	setAttr(t, e, orderKey(t, e, 14), "total", s("70.00"))
	// Orphans: a variant of a product PostgreSQL never had, an item of no
	// entity.
	putItem(t, e, map[string]types.AttributeValue{"PK": s("PRODUCT#9"), "SK": s("VARIANT#P9"), "GSI1PK": s("SKU#P9"), "GSI1SK": s("VARIANT"),
		"sku": s("P9"), "name": s("Nine"), "price": &types.AttributeValueMemberN{Value: "9"}, "currency": s("EUR")})
	putItem(t, e, map[string]types.AttributeValue{"PK": s("JUNK#1"), "SK": s("x")})
	// Only in PostgreSQL: customer 2's profile, product 3 and its variant.
	deleteItem(t, e, catalog.CustomerKey(2))
	deleteItem(t, e, catalog.ProductKey(3))
	deleteItem(t, e, catalog.VariantKey(3, "P3"))
	// Only in DynamoDB: order 30, a copy of order 20 under its own id.
	o30 := getItem(t, e, orderKey(t, e, 20))
	o30["SK"] = s(strings.Replace(o30["SK"].(*types.AttributeValueMemberS).Value, "#00000000000000000020", "#00000000000000000030", 1))
	o30["GSI1PK"], o30["id"] = s("ORDER#30"), &types.AttributeValueMemberN{Value: "30"}
	putItem(t, e, o30)
	// Swapped within a range (products 1 and 2) and across ranges (orders
	// 10 and 20).
	setAttr(t, e, catalog.ProductKey(1), "name", s("Canvas tote"))
	setAttr(t, e, catalog.ProductKey(2), "name", s("Linen shirt"))
	setAttr(t, e, orderKey(t, e, 10), "status", s("cancelled"))
	setAttr(t, e, orderKey(t, e, 20), "status", s("delivered"))
	return e
}

type wantFinding struct {
	kind    string
	id      int64
	problem string
	path    string // the read endpoint that shows it, if any
	reason  string
}

var driftFindings = []wantFinding{
	{"", 0, verify.ProblemOrphan, "", "an item of no entity"},
	{"customer", 2, verify.ProblemMissing, "", "the customer's profile is only in PostgreSQL"},
	{"order", 10, verify.ProblemChanged, "/orders/10", "swapped status across ranges"},
	{"order", 11, verify.ProblemKeys, "", "moved into another customer's partition: the list loses it, the read by id does not"},
	{"order", 12, verify.ProblemKeys, "", "a wrong GSI1PK"},
	{"order", 12, verify.ProblemMissing, "/orders/12", "a wrong GSI1PK hides it from GET /orders/{id}"},
	{"order", 13, verify.ProblemDuplicate, "", "a second item of the order"},
	{"order", 14, verify.ProblemUnreadable, "", "total is a String"},
	{"order", 20, verify.ProblemChanged, "/orders/20", "swapped status across ranges"},
	{"order", 30, verify.ProblemExtra, "/orders/30", "only in DynamoDB"},
	{"product", 1, verify.ProblemChanged, "/products/1", "swapped name within a range"},
	{"product", 2, verify.ProblemChanged, "/products/2", "swapped name within a range"},
	{"product", 3, verify.ProblemMissing, "/products/3", "only in PostgreSQL"},
	{"product", 9, verify.ProblemOrphan, "", "a variant without its product, which PostgreSQL never had"},
}

func verifyCatalog(t *testing.T, e *catalogtest.Env, workers int, opts ...verify.Option) []verify.Report {
	t.Helper()
	run, err := verification.NewVerifier(e.PG, e.DDB, opts...).NewRun(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return verifyCatalogRun(t, e, run, workers, opts...)
}

// verifyCatalogRun works a run with workers at once and returns each one's
// report.
func verifyCatalogRun(t *testing.T, e *catalogtest.Env, run int64, workers int, opts ...verify.Option) []verify.Report {
	t.Helper()
	ctx := context.Background()
	reports := make([]verify.Report, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() { reports[i], errs[i] = verification.NewVerifier(e.PG, e.DDB, opts...).Work(ctx, run) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("worker %d: %v", i, err)
		}
	}
	return reports
}

// checkFindings compares a report with the drift, and the signature of
// each finding a read endpoint shows with the one the middleware gives
// that endpoint's two responses.
func checkFindings(t *testing.T, e *catalogtest.Env, r verify.Report, want []wantFinding) {
	t.Helper()
	var got []string
	for _, f := range r.Findings {
		got = append(got, fmt.Sprintf("%s %d %s", f.Kind, f.ID, f.Problem))
	}
	h := catalog.NewRouter(e.Stores, nil)
	cmp := comparator.JSON(comparator.PostgresDynamoDB())
	for _, w := range want {
		i := slices.IndexFunc(r.Findings, func(f verify.Finding) bool { return f.Kind == w.kind && f.ID == w.id && f.Problem == w.problem })
		if i < 0 {
			t.Errorf("no %s finding for %s %d (%s); found %q", w.problem, w.kind, w.id, w.reason, got)
			continue
		}
		if w.path == "" {
			continue
		}
		ps, pb := catalogtest.FromStore(t, h, backends.Postgres, w.path)
		ds, db := catalogtest.FromStore(t, h, backends.DynamoDB, w.path)
		res := cmp.Compare(comparator.Response{Status: ps, Header: http.Header{"Content-Type": {"application/json"}}, Body: pb},
			comparator.Response{Status: ds, Header: http.Header{"Content-Type": {"application/json"}}, Body: db})
		if f := r.Findings[i]; f.Signature != res.Signature() {
			t.Errorf("%s %d: signature %q, the middleware's on %s is %q", w.kind, w.id, f.Signature, w.path, res.Signature())
		}
	}
	if len(r.Findings) != len(want) {
		t.Errorf("%d findings, want %d: %q", len(r.Findings), len(want), got)
	}
}

// TestVerifyFindsEachDrift: every drift is found as what it is, with the
// middleware's signature where an endpoint shows it; the wrong-type item
// does not stop the run.
func TestVerifyFindsEachDrift(t *testing.T) {
	e := driftedCatalog(t)
	r := verifyCatalog(t, e, 1, verify.WithRangeSize(2), verify.WithSegments(3))[0]
	checkFindings(t, e, r, driftFindings)
	if r.Phase != verify.PhaseDone || r.OK() {
		t.Errorf("phase %s, ok %v; want done and not ok", r.Phase, r.OK())
	}
	i := slices.IndexFunc(r.Findings, func(f verify.Finding) bool { return f.ID == 14 })
	if i >= 0 && (!strings.Contains(r.Findings[i].Reason, `"total"`) || len(r.Findings[i].Keys) != 1) {
		t.Errorf("order 14: reason %q keys %v, want the attribute and the item's key", r.Findings[i].Reason, r.Findings[i].Keys)
	}
	if r.Source.Entities != 2+3+6 || r.Source.Items != 2+(3+5)+6 {
		t.Errorf("source: %+v, want 11 entities in 16 items", r.Source)
	}
}

// TestVerifyClean: after a backfill nothing differs and no range is
// compared one by one; customers, products with their variants and orders
// are all counted.
func TestVerifyClean(t *testing.T) {
	e := catalogtest.NewEnv(t, testenv.DynamoDBEndpoint(t))
	e.SeedSmall(t)
	e.Backfill(t)
	r := verifyCatalog(t, e, 1, verify.WithRangeSize(3), verify.WithSegments(2), verify.WithRate(1000))[0]
	if len(r.Findings) != 0 || r.Differing != 0 || !r.OK() {
		t.Errorf("clean copy: findings %+v, %d ranges compared; want none, 0", r.Findings, r.Differing)
	}
	want := verify.Counts{Entities: 11, Items: 16}
	if r.Source != want || r.Target != want {
		t.Errorf("counted source %+v target %+v, want %+v on both", r.Source, r.Target, want)
	}
}

// TestVerifySharedByFourWorkers: four workers on one run finish with the
// findings one worker finds alone.
func TestVerifySharedByFourWorkers(t *testing.T) {
	e := driftedCatalog(t)
	for i, r := range verifyCatalog(t, e, 4, verify.WithRangeSize(1), verify.WithSegments(4)) {
		t.Logf("worker %d", i)
		checkFindings(t, e, r, driftFindings)
	}
}

// TestVerifyWorkerKilledMidLease: four workers share a run and one dies
// holding a unit: its DynamoDB reads hang and its PostgreSQL pool is gone,
// so it cannot hand the unit back. The three others take the unit over
// when its lease runs out and finish with the findings of one worker
// alone.
func TestVerifyWorkerKilledMidLease(t *testing.T) {
	e := driftedCatalog(t)
	opts := []verify.Option{verify.WithRangeSize(2), verify.WithSegments(4), verify.WithLease(time.Second)}
	alone := verifyCatalog(t, e, 1, opts...)[0]
	ctx := context.Background()
	run, err := verification.NewVerifier(e.PG, e.DDB, opts...).NewRun(ctx)
	if err != nil {
		t.Fatal(err)
	}
	victimPool, err := postgres.Open(ctx, e.Pool.Config().ConnString())
	if err != nil {
		t.Fatal(err)
	}
	proxy := testenv.NewDelayProxy(t, strings.TrimPrefix(testenv.DynamoDBEndpoint(t), "http://"), time.Hour)
	client, err := dynamodb.New(ctx, dynamodb.WithEndpoint("http://"+proxy.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Close)
	victimCtx, kill := context.WithCancel(ctx)
	defer kill()
	victimDone := make(chan error, 1)
	go func() {
		_, err := verification.NewVerifier(catalog.NewPostgresStore(victimPool), catalog.NewDynamoDBStore(client.Client, e.DDB.Table()), opts...).Work(victimCtx, run)
		victimDone <- err
	}()
	catalogtest.WaitFor(t, "the victim's lease", func() bool {
		var leased int
		err := e.Pool.QueryRow(ctx, `SELECT count(*) FROM shadowread_verify_units WHERE run_id = $1 AND lease_until > now()`, run).Scan(&leased)
		return err == nil && leased == 1
	})
	victimPool.Close() // before the kill: its deferred hand-back must fail, as in a crash
	kill()
	if err := <-victimDone; err == nil {
		t.Fatal("the killed worker finished the run")
	}
	for i, r := range verifyCatalogRun(t, e, run, 3, opts...) {
		var got, want []string
		for _, f := range r.Findings {
			got = append(got, fmt.Sprintf("%s %d %s %s", f.Kind, f.ID, f.Problem, f.Signature))
		}
		for _, f := range alone.Findings {
			want = append(want, fmt.Sprintf("%s %d %s %s", f.Kind, f.ID, f.Problem, f.Signature))
		}
		if !slices.Equal(got, want) {
			t.Errorf("worker %d: %q, one worker alone found %q", i, got, want)
		}
	}
}

// TestRepairFindings repairs what a run found; a second run finds nothing.
func TestRepairFindings(t *testing.T) {
	e := driftedCatalog(t)
	ctx := context.Background()
	r := verifyCatalog(t, e, 1, verify.WithRangeSize(4), verify.WithSegments(2))[0]
	n, err := verification.RepairFindings(ctx, e.PG, e.DDB, r.Differences())
	if err != nil || n != 13 {
		t.Fatalf("repaired %d (%v), want the 13 entities and the stray item", n, err)
	}
	if after := verifyCatalog(t, e, 1, verify.WithRangeSize(4), verify.WithSegments(2))[0]; len(after.Findings) != 0 {
		t.Errorf("after the repair: %+v; want nothing", after.Findings)
	}
}
