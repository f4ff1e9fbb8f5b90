package middleware_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/goleak"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/backends/dynamodb"
	"github.com/shadowread/shadowread/backends/postgres"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/flags"
	"github.com/shadowread/shadowread/internal/testenv"
	"github.com/shadowread/shadowread/middleware"
	"github.com/shadowread/shadowread/telemetry"
)

// The fault tests run the catalog service of the end-to-end test on real
// servers, take a store away or slow it down in the middle of a load, and
// check what users got and what the middleware reported.

var catalogProducts = []Product{
	{ID: "p1", Name: "Linen shirt", Price: 49.9, UpdatedAt: time.Date(2026, 3, 1, 10, 0, 0, 123456000, time.UTC)},
	{ID: "p2", Name: "Canvas tote", Price: 12.5, UpdatedAt: time.Date(2026, 3, 2, 11, 30, 0, 0, time.UTC)},
}

// openPool opens a pool on the PostgreSQL database at url and seeds it.
func openPool(t *testing.T, url string) *pgxpool.Pool {
	t.Helper()
	pool, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	seedPostgres(t, pool, catalogProducts)
	return pool
}

// countedTransport is an HTTP transport that counts its open connections,
// so a test can tell that none leaked.
type countedTransport struct {
	*http.Transport
	open atomic.Int64
}

func newCountedTransport() *countedTransport {
	ct := &countedTransport{}
	var dialer net.Dialer
	ct.Transport = &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dialer.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		ct.open.Add(1)
		return &countedConn{Conn: c, open: &ct.open}, nil
	}}
	return ct
}

type countedConn struct {
	net.Conn
	open *atomic.Int64
	once sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() { c.open.Add(-1) })
	return c.Conn.Close()
}

// openDynamoDB creates a DynamoDB client of endpoint on a counted transport
// and a seeded table. The table is created through setupEndpoint, which
// differs from endpoint when endpoint is a proxy that may be slow.
func openDynamoDB(t *testing.T, setupEndpoint, endpoint string, opts ...dynamodb.Option) (*dynamodb.Client, string, *countedTransport) {
	t.Helper()
	ctx := context.Background()
	setup, err := dynamodb.New(ctx, dynamodb.WithEndpoint(setupEndpoint))
	if err != nil {
		t.Fatal(err)
	}
	defer setup.Close()
	table := testenv.UniqueName(t, "catalog")
	seedDynamoDB(t, setup.Client, table, catalogProducts)

	transport := newCountedTransport()
	t.Cleanup(transport.CloseIdleConnections)
	opts = append([]dynamodb.Option{dynamodb.WithEndpoint(endpoint), dynamodb.WithHTTPClient(&http.Client{Transport: transport})}, opts...)
	ddb, err := dynamodb.New(ctx, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return ddb, table, transport
}

// serveCatalog serves handler for /products/{id} behind shadow on a real
// HTTP server and returns its URL and a client of the test's own.
func serveCatalog(t *testing.T, shadow *middleware.Shadower, handler http.HandlerFunc) (string, *http.Client) {
	t.Helper()
	r := chi.NewRouter()
	r.With(shadow.Handler).Get("/products/{id}", handler)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	client := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(client.CloseIdleConnections)
	return srv.URL, client
}

// userGet is one user's request: it returns the status and checks that a
// 200 carries the product the user asked for.
func userGet(t *testing.T, client *http.Client, url string, want Product, header ...string) int {
	req, err := http.NewRequest(http.MethodGet, url+"/products/"+want.ID, nil)
	if err != nil {
		t.Error(err)
		return 0
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Errorf("GET %s: %v", want.ID, err)
		return 0
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Errorf("GET %s: reading the body: %v", want.ID, err)
	}
	if resp.StatusCode == http.StatusOK {
		var got Product
		if err := json.Unmarshal(body, &got); err != nil || got.ID != want.ID || got.Name != want.Name ||
			got.Price != want.Price || !got.UpdatedAt.Equal(want.UpdatedAt) {
			t.Errorf("GET %s: user got %s (%v), want %+v", want.ID, body, err, want)
		}
	}
	return resp.StatusCode
}

// TestDynamoDBKilledAndRestarted kills the shadow store in the middle of a
// load and starts it again. Users see no error at all; the outcomes turn
// from match to shadow_error and back to match; afterwards no goroutine and
// no connection is left over.
func TestDynamoDBKilledAndRestarted(t *testing.T) {
	pool := openPool(t, testenv.NewDatabase(t))
	dynalite := testenv.StartDynalite(t)
	ddb, table, transport := openDynamoDB(t, dynalite.Endpoint(), dynalite.Endpoint())
	router := backends.NewRouter(map[backends.Name]ProductStore{
		backends.Postgres: &pgProductStore{pool: pool},
		backends.DynamoDB: &ddbProductStore{client: ddb.Client, table: table},
	})
	decider := flags.New(fullSampling(t))
	t.Cleanup(decider.Close)
	rec := newTally()
	shadow := middleware.New(
		middleware.WithFlags(decider),
		middleware.WithComparator(comparator.JSON(comparator.PostgresDynamoDB())),
		middleware.WithRecorder(rec),
		middleware.WithTimeout(5*time.Second))
	// Everything the test owns from here on must be gone at the end.
	before := goleak.IgnoreCurrent()

	r := chi.NewRouter()
	r.With(shadow.Handler).Get("/products/{id}", getProduct(router))
	srv := httptest.NewServer(r)
	client := &http.Client{Transport: &http.Transport{}}
	var requests, userErrors atomic.Int64
	stop := load(4, func(w int) {
		requests.Add(1)
		if code := userGet(t, client, srv.URL, catalogProducts[w%2]); code != http.StatusOK {
			userErrors.Add(1)
		}
	})
	stopped := false
	defer func() {
		if !stopped {
			stop()
		}
	}()

	rec.waitUntil(t, "matches before the fault", func(o map[string]int) bool { return o["match/"] >= 20 })
	dynalite.Stop()
	errorsBefore := rec.count(telemetry.ShadowError)
	rec.waitUntil(t, "shadow errors while DynamoDB is down", func(o map[string]int) bool {
		return countOutcome(o, telemetry.ShadowError) >= errorsBefore+20
	})
	dynalite.Start()
	matchesBefore := rec.count(telemetry.Match)
	rec.waitUntil(t, "matches after the restart", func(o map[string]int) bool { return o["match/"] >= matchesBefore+20 })
	total := stop()
	stopped = true

	if n := userErrors.Load(); n != 0 {
		t.Errorf("%d of %d user requests failed: a shadow store outage must not reach users", n, requests.Load())
	}
	outcomes, _ := rec.snapshot()
	for k := range outcomes {
		switch k {
		case "match/", "shadow_error/status_5xx", "dropped/":
		default:
			t.Errorf("unexpected outcome %s: %v", k, outcomes)
		}
	}

	// Shut down as a service does, then look for leftovers.
	srv.Close()
	client.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := shadow.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if n := pool.Stat().AcquiredConns(); n != 0 {
		t.Errorf("%d PostgreSQL connections still acquired", n)
	}
	transport.CloseIdleConnections()
	if n := transport.open.Load(); n != 0 {
		t.Errorf("%d connections to DynamoDB still open after every shadow finished", n)
	}
	dynalite.Stop() // the restarted process's reaper is the test's, not a leak
	goleak.VerifyNone(t, before)
	t.Logf("%d requests, outcomes %v", total, outcomes)
}

// TestSlowShadowStore puts a delaying TCP proxy between the middleware and
// DynamoDB.
func TestSlowShadowStore(t *testing.T) {
	pool := openPool(t, testenv.NewDatabase(t))
	shared := testenv.DynamoDBEndpoint(t)
	proxy := testenv.NewDelayProxy(t, strings.TrimPrefix(shared, "http://"), 0)
	ddb, table, transport := openDynamoDB(t, shared, "http://"+proxy.Addr(), dynamodb.WithMaxAttempts(1))
	router := backends.NewRouter(map[backends.Name]ProductStore{
		backends.Postgres: &pgProductStore{pool: pool},
		backends.DynamoDB: &ddbProductStore{client: ddb.Client, table: table},
	})

	// A stalled store: shadows that cannot finish until the test lets them.
	// Users are served all the same, and the shadows fill their slots and
	// no more.
	t.Run("stalled, users never wait", func(t *testing.T) {
		for _, start := range []middleware.Start{middleware.StartAfterPrimary, middleware.StartWithPrimary} {
			t.Run(startName(start), func(t *testing.T) {
				const slots, requests = 3, 24
				stalled := testenv.NewDelayProxy(t, strings.TrimPrefix(shared, "http://"), time.Hour)
				stalledDDB, _, stalledTransport := openDynamoDB(t, shared, "http://"+stalled.Addr(), dynamodb.WithMaxAttempts(1))
				stalledRouter := backends.NewRouter(map[backends.Name]ProductStore{
					backends.Postgres: &pgProductStore{pool: pool},
					backends.DynamoDB: &ddbProductStore{client: stalledDDB.Client, table: table},
				})
				rec := newTally()
				shadow := newShadower(t, rec, middleware.WithStart(start), middleware.WithMaxConcurrent(slots),
					middleware.WithTimeout(time.Minute), middleware.WithComparator(comparator.JSON(comparator.PostgresDynamoDB())))
				url, client := serveCatalog(t, shadow, getProduct(stalledRouter))

				var served atomic.Int32
				var wg sync.WaitGroup
				for w := range 4 {
					wg.Go(func() {
						for range requests / 4 {
							if code := userGet(t, client, url, catalogProducts[w%2]); code == http.StatusOK {
								served.Add(1)
							}
						}
					})
				}
				answered := make(chan struct{})
				go func() { wg.Wait(); close(answered) }()
				select {
				case <-answered:
				case <-time.After(20 * time.Second):
					t.Fatalf("users were not answered within 20s while the shadow store stalled: they are waiting for shadows (%d of %d served)", served.Load(), requests)
				}
				// Every user has been answered while the shadows are stuck in the proxy.
				if n := served.Load(); n != requests {
					t.Errorf("%d of %d users served while the shadow store stalled", n, requests)
				}
				if n := shadow.InFlight(); n != slots {
					t.Errorf("InFlight = %d, want every one of the %d slots held by a stalled shadow", n, slots)
				}
				// A dropped shadow is recorded when its request is served; a
				// stalled one only when it ends. Let the remaining events land.
				rec.waitUntil(t, "the dropped shadows", func(o map[string]int) bool { return o["dropped/"] == requests-slots })
				if got, _ := rec.snapshot(); len(got) != 1 {
					t.Errorf("outcomes %v while the shadows are stalled, want only %d dropped: no shadow can have finished", got, requests-slots)
				}

				stalled.Close() // the stalled shadows fail now
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				if err := shadow.Close(ctx); err != nil {
					t.Fatalf("Close: %v", err)
				}
				if got, _ := rec.snapshot(); got["shadow_error/status_5xx"] != slots {
					t.Errorf("outcomes %v, want the %d stalled shadows to end as shadow errors", got, slots)
				}
				stalledTransport.CloseIdleConnections()
				if n := stalledTransport.open.Load(); n != 0 {
					t.Errorf("%d connections still open", n)
				}
			})
		}
	})

	// 100 times slower: dynalite answers a GetItem in about 0.5 ms on
	// loopback; the proxy holds each request for 50 ms, twice the shadow
	// timeout. Every shadow that runs times out, the others are dropped,
	// and no more than MaxConcurrent run at once.
	t.Run("100x slower under load", func(t *testing.T) {
		for _, start := range []middleware.Start{middleware.StartAfterPrimary, middleware.StartWithPrimary} {
			t.Run(startName(start), func(t *testing.T) {
				const slots = 2
				rec := newTally()
				shadow := newShadower(t, rec, middleware.WithStart(start), middleware.WithMaxConcurrent(slots),
					middleware.WithTimeout(25*time.Millisecond), middleware.WithComparator(comparator.JSON(comparator.PostgresDynamoDB())))
				url, client := serveCatalog(t, shadow, getProduct(router))
				latency := func(n int) []time.Duration {
					var mu sync.Mutex
					var took []time.Duration
					var wg sync.WaitGroup
					for w := range 4 {
						wg.Go(func() {
							for range n / 4 {
								start := time.Now()
								if code := userGet(t, client, url, catalogProducts[w%2]); code != http.StatusOK {
									t.Errorf("user got %d", code)
								}
								mu.Lock()
								took = append(took, time.Since(start))
								mu.Unlock()
							}
						})
					}
					wg.Wait()
					return took
				}

				proxy.SetDelay(0)
				fast := latency(200)
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				if err := shadow.Close(ctx); err != nil { // drain, then reopen for the slow phase
					t.Fatal(err)
				}
				fastOutcomes, _ := rec.snapshot()

				rec = newTally()
				shadow = newShadower(t, rec, middleware.WithStart(start), middleware.WithMaxConcurrent(slots),
					middleware.WithTimeout(25*time.Millisecond), middleware.WithComparator(comparator.JSON(comparator.PostgresDynamoDB())))
				url, client = serveCatalog(t, shadow, getProduct(router))
				proxy.SetDelay(50 * time.Millisecond)
				slow := latency(400)
				if err := shadow.Close(ctx); err != nil {
					t.Fatal(err)
				}
				proxy.SetDelay(0)

				outcomes, maxRunning := rec.snapshot()
				for k := range outcomes {
					if k != "timeout/" && k != "dropped/" {
						t.Errorf("outcome %s with a store 100x slower (outcomes %v), want only timeout and dropped", k, outcomes)
					}
				}
				if outcomes["timeout/"] == 0 || outcomes["dropped/"] == 0 {
					t.Errorf("outcomes %v, want shadows both timed out and dropped", outcomes)
				}
				if maxRunning > slots {
					t.Errorf("%d shadows ran at once, want at most MaxConcurrent = %d", maxRunning, slots)
				}
				t.Logf("user latency, shadow store fast (%v): %s", fastOutcomes, percentiles(fast))
				t.Logf("user latency, shadow store 100x slower (%v): %s", outcomes, percentiles(slow))
			})
		}
		transport.CloseIdleConnections()
	})
}

// percentiles renders the median, 90th and 99th percentiles of d.
func percentiles(d []time.Duration) string {
	slices.Sort(d)
	at := func(p float64) time.Duration { return d[int(p*float64(len(d)-1))] }
	return fmt.Sprintf("p50 %v, p90 %v, p99 %v over %d requests", at(0.5), at(0.9), at(0.99), len(d))
}
