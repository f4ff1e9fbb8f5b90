package verify_test

import (
	"context"
	"fmt"
	"net/http"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/verify"
)

// A service describes each of its entity kinds with the read path it
// already has: list a range of ids from PostgreSQL, read one entity from
// DynamoDB, and scan DynamoDB's items. Any number of processes then work
// one run.
func ExampleNew() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		return
	}
	defer pool.Close()
	order := verify.Kind{
		Name:  "order",
		MaxID: func(ctx context.Context) (int64, error) { return 0, nil }, // SELECT max(id) FROM orders
		Source: func(ctx context.Context, lo, hi int64) ([]verify.Entity, error) {
			// SELECT ... WHERE id >= lo AND id < hi: each order rendered as
			// GET /orders/{id} serves it, with the keys its item should have.
			return nil, nil
		},
		Target: func(ctx context.Context, id int64) (verify.Entity, error) {
			// The DynamoDB store's read of one order (a 404 when it has none).
			return verify.Entity{Kind: "order", ID: id, Response: comparator.Response{Status: http.StatusNotFound}}, nil
		},
	}
	scan := func(ctx context.Context, segment, segments int, emit func(verify.Entity) error) error {
		// A parallel Scan of the table: per entity met, emit its rendering
		// and its items' keys (PK, SK, GSI1PK, ...).
		return nil
	}
	v := verify.New(pool, scan, []verify.Kind{order}, verify.WithRate(500))
	run, err := v.NewRun(ctx)
	if err != nil {
		return
	}
	report, err := v.Work(ctx, run) // in as many processes as you like
	if err != nil {
		return
	}
	_ = report.WriteJSON(os.Stdout) // {"ok": true, ...} for a cutover gate
}

func ExampleReport_WriteText() {
	r := verify.Report{Run: 7, Phase: verify.PhaseDone, Ranges: 12, Differing: 2,
		Source: verify.Counts{Entities: 1000, Items: 1400}, Target: verify.Counts{Entities: 999, Items: 1399},
		Findings: []verify.Finding{
			{Kind: "order", ID: 17, Problem: verify.ProblemKeys, Signature: "9c0e51d2a1b3f4e5", Fields: []string{"GSI1PK[]"}},
			{Kind: "order", ID: 17, Problem: verify.ProblemMissing, Signature: "51f0c3a2b9d8e7f6", Triage: comparator.TriageDataLoss, Fields: []string{"$status"}},
			{Kind: "order", ID: 21, Problem: verify.ProblemUnreadable, Reason: `attribute "total" is not a number`},
		}}
	_ = r.WriteText(os.Stdout)
	fmt.Println("ok:", r.OK())
	// Output:
	// run 7 done: 12 ranges, 2 compared one by one; source 1000 entities (1400 items), target 999 entities (1399 items)
	//   order    keys                  1  triage -              9c0e51d2a1b3f4e5 GSI1PK[] ids [17]
	//   order    missing_in_target     1  triage data_loss      51f0c3a2b9d8e7f6 $status ids [17]
	//   order    unreadable            1  triage -               ids [21]
	// ok: false
}
