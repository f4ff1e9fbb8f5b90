package verification_test

// The benchmarks measure the throughput of store verification (the
// library's verify package through NewVerifier) on the example catalog
// against PostgreSQL and dynalite: entities per second with one worker and
// with four, on a copy that is clean (counting only) and on one where every
// range differs (counting, then every entity compared), beside what each
// part costs alone: the DynamoDB scan, the PostgreSQL range reads, the
// library's hashing and bookkeeping, and the comparator. `make verify` in
// bench/ runs them with throwaway servers; bench/VERIFY.md has the figures.

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/shadowread/shadowread/backends/dynamodb"
	"github.com/shadowread/shadowread/backends/postgres"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/example/internal/backfill"
	"github.com/shadowread/shadowread/example/internal/catalog"
	"github.com/shadowread/shadowread/example/internal/verification"
	"github.com/shadowread/shadowread/internal/testenv"
	"github.com/shadowread/shadowread/verify"
)

// The catalog verified: about the demo's mix, smaller.
const (
	customers = 400
	products  = 800 // 1 to 3 variants each
	orders    = 4000
	rangeSize = 250
	segments  = 8
)

type stores struct {
	pool *pgxpool.Pool
	pg   *catalog.PostgresStore
	ddb  *catalog.DynamoDBStore
}

// seeded fills PostgreSQL with a generated catalog and backfills it.
func seeded(b *testing.B) stores {
	b.Helper()
	ctx := context.Background()
	pool, err := postgres.Open(ctx, testenv.NewDatabase(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	client, err := dynamodb.New(ctx, dynamodb.WithEndpoint(testenv.DynamoDBEndpoint(b)))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(client.Close)
	s := stores{pool: pool, pg: catalog.NewPostgresStore(pool), ddb: catalog.NewDynamoDBStore(client.Client, testenv.UniqueName(b, "verify"))}
	if err := s.pg.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	if err := s.ddb.CreateTable(ctx); err != nil {
		b.Fatal(err)
	}
	for _, sql := range []string{
		fmt.Sprintf(`INSERT INTO customers SELECT i, 'Customer ' || i, 'c' || i || '@example.com', timestamptz '2026-01-01' + i * interval '1 minute' FROM generate_series(1, %d) i`, customers),
		fmt.Sprintf(`INSERT INTO products SELECT i, 'Product ' || i, 'A product.', 'cat' || i %% 7, timestamptz '2026-01-01', timestamptz '2026-01-02' + i * interval '1 second' FROM generate_series(1, %d) i`, products),
		fmt.Sprintf(`INSERT INTO variants SELECT 'P' || i || '-' || v, i, 'V' || v, 10 + v + (i %% 50) / 10.0, 'EUR' FROM generate_series(1, %d) i, generate_series(1, 3) v WHERE v <= 1 + i %% 3`, products),
		fmt.Sprintf(`INSERT INTO orders SELECT i, 1 + i %% %d, 'paid', 'EUR', 25.00, timestamptz '2026-02-01' + i * interval '1 second', timestamptz '2026-02-01' + i * interval '1 second' FROM generate_series(1, %d) i`, customers, orders),
		`INSERT INTO order_lines SELECT id, 1, 'P1-1', 1, 12.50 FROM orders`,
		`INSERT INTO order_lines SELECT id, 2, 'P2-1', 1, 12.50 FROM orders`,
	} {
		if _, err := pool.Exec(ctx, sql); err != nil {
			b.Fatalf("%s: %v", sql, err)
		}
	}
	if _, err := backfill.Run(ctx, s.pg, s.ddb); err != nil {
		b.Fatal(err)
	}
	return s
}

// driftEveryRange changes one order per range of orders in DynamoDB, so
// every order range is compared entity by entity.
func driftEveryRange(b *testing.B, s stores) {
	b.Helper()
	ctx := context.Background()
	for id := int64(1); id <= orders; id += rangeSize {
		o, err := s.pg.Order(ctx, id)
		if err != nil {
			b.Fatal(err)
		}
		_, err = s.ddb.Client().UpdateItem(ctx, &awsddb.UpdateItemInput{
			TableName: aws.String(s.ddb.Table()), Key: catalog.OrderKey(o),
			UpdateExpression:          aws.String("SET #s = :v"),
			ExpressionAttributeNames:  map[string]string{"#s": "status"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":v": &types.AttributeValueMemberS{Value: "cancelled"}},
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// runWith verifies the stores with n workers and returns the entities
// both sides hold.
func runWith(b *testing.B, s stores, n int) (entities int64, findings int) {
	b.Helper()
	ctx := context.Background()
	opts := []verify.Option{verify.WithRangeSize(rangeSize), verify.WithSegments(segments)}
	run, err := verification.NewVerifier(s.pg, s.ddb, opts...).NewRun(ctx)
	if err != nil {
		b.Fatal(err)
	}
	reports := make([]verify.Report, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { reports[i], errs[i] = verification.NewVerifier(s.pg, s.ddb, opts...).Work(ctx, run) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			b.Fatal(err)
		}
	}
	r := reports[0]
	return r.Source.Entities + r.Target.Entities, len(r.Findings)
}

// BenchmarkVerify is a whole run, per worker count and copy.
func BenchmarkVerify(b *testing.B) {
	s := seeded(b)
	for _, state := range []string{"clean", "every-range-differs"} {
		if state == "every-range-differs" {
			driftEveryRange(b, s)
		}
		for _, workers := range []int{1, 4} {
			b.Run(fmt.Sprintf("%s/workers=%d", state, workers), func(b *testing.B) {
				var entities int64
				var findings int
				for b.Loop() {
					entities, findings = runWith(b, s, workers)
				}
				perSec := float64(entities) * float64(b.N) / b.Elapsed().Seconds()
				b.ReportMetric(perSec, "entities/s")
				b.ReportMetric(perSec/float64(workers), "entities/s/worker")
				b.ReportMetric(float64(findings), "findings")
			})
		}
	}
	b.Run("parts/dynamodb-scan", func(b *testing.B) { benchScan(b, s) })
	b.Run("parts/postgres-ranges", func(b *testing.B) { benchRanges(b, s) })
}

// benchScan is the table's scan alone, 8 segments one after the other.
func benchScan(b *testing.B, s stores) {
	ctx := context.Background()
	items := 0
	for b.Loop() {
		items = 0
		for seg := range segments {
			in := &awsddb.ScanInput{TableName: aws.String(s.ddb.Table()), Segment: aws.Int32(int32(seg)), TotalSegments: aws.Int32(segments), ConsistentRead: aws.Bool(true)}
			for {
				out, err := s.ddb.Client().Scan(ctx, in)
				if err != nil {
					b.Fatal(err)
				}
				items += len(out.Items)
				if out.LastEvaluatedKey == nil {
					break
				}
				in.ExclusiveStartKey = out.LastEvaluatedKey
			}
		}
	}
	b.ReportMetric(float64(items)*float64(b.N)/b.Elapsed().Seconds(), "items/s")
}

// benchRanges is the PostgreSQL side's reads alone.
func benchRanges(b *testing.B, s stores) {
	ctx := context.Background()
	n := 0
	for b.Loop() {
		n = 0
		for lo := int64(1); lo <= orders; lo += rangeSize {
			os, err := s.pg.OrdersInRange(ctx, lo, lo+rangeSize)
			if err != nil {
				b.Fatal(err)
			}
			n += len(os)
		}
		for lo := int64(1); lo <= products; lo += rangeSize {
			ps, err := s.pg.ProductsInRange(ctx, lo, lo+rangeSize)
			if err != nil {
				b.Fatal(err)
			}
			n += len(ps)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "entities/s")
}

// BenchmarkVerifyLibrary is the library alone: a run over stores held in
// memory, so what it measures is the hashing (canonical JSON, SHA-256 of
// body and keys), the sums, the leases and the COPY of what the scan met
// into PostgreSQL.
func BenchmarkVerifyLibrary(b *testing.B) {
	ctx := context.Background()
	pool, err := postgres.Open(ctx, testenv.NewDatabase(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	const n = 5000
	entity := func(id int64) verify.Entity {
		body := fmt.Sprintf(`{"id":%d,"customer_id":%d,"status":"paid","currency":"EUR","total":"25.00","lines":[{"sku":"P1-1","quantity":1,"unit_price":12.5},{"sku":"P2-1","quantity":1,"unit_price":12.5}],"created_at":"2026-02-01T00:00:01Z","updated_at":"2026-02-01T00:00:01Z"}`, id, id%400)
		pk := "CUSTOMER#" + strconv.FormatInt(id%400, 10)
		return verify.Entity{Kind: "order", ID: id, Response: comparator.Response{Status: http.StatusOK, Body: []byte(body)},
			Items: []verify.Key{{"PK": pk, "SK": "ORDER#2026-02-01T00:00:01.000000Z#" + strconv.FormatInt(id, 10), "GSI1PK": "ORDER#" + strconv.FormatInt(id, 10), "GSI1SK": "ORDER"}}}
	}
	kind := verify.Kind{
		Name:  "order",
		MaxID: func(context.Context) (int64, error) { return n, nil },
		Source: func(_ context.Context, lo, hi int64) ([]verify.Entity, error) {
			var out []verify.Entity
			for id := lo; id < min(hi, n+1); id++ {
				out = append(out, entity(id))
			}
			return out, nil
		},
		Target: func(_ context.Context, id int64) (verify.Entity, error) { return entity(id), nil },
	}
	scan := func(_ context.Context, seg, segs int, emit func(verify.Entity) error) error {
		for id := int64(1 + seg); id <= n; id += int64(segs) {
			if err := emit(entity(id)); err != nil {
				return err
			}
		}
		return nil
	}
	for b.Loop() {
		v := verify.New(pool, scan, []verify.Kind{kind}, verify.WithRangeSize(rangeSize), verify.WithSegments(segments))
		run, err := v.NewRun(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := v.Work(ctx, run); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(2*n*float64(b.N)/b.Elapsed().Seconds(), "entities/s")
}

// BenchmarkCompareOrder is the comparator on one order, equal and with a
// changed status: what the compare phase pays per entity beside its reads.
func BenchmarkCompareOrder(b *testing.B) {
	body := `{"id":7,"customer_id":7,"status":"%s","currency":"EUR","total":25.00,"lines":[{"sku":"P1-1","quantity":1,"unit_price":12.50},{"sku":"P2-1","quantity":1,"unit_price":12.50}],"created_at":"2026-02-01T00:00:07Z","updated_at":"2026-02-01T00:00:07Z"}`
	cmp := comparator.JSON(comparator.PostgresDynamoDB())
	primary := comparator.Response{Status: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}}, Body: fmt.Appendf(nil, body, "paid")}
	for _, status := range []string{"paid", "cancelled"} {
		b.Run("status="+status, func(b *testing.B) {
			shadow := primary
			shadow.Body = []byte(fmt.Sprintf(body, status) + " ") // other bytes: the comparison decodes
			const per = 1000                                      // compares per iteration, so few iterations still measure
			for b.Loop() {
				for range per {
					cmp.Compare(primary, shadow)
				}
			}
			b.ReportMetric(b.Elapsed().Seconds()*1e6/float64(b.N*per), "µs/compare")
		})
	}
}
