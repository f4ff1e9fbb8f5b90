package middleware_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	neturl "net/url"
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
	decider := flags.New(fullSampling(t), testEvaluation)
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
	if n := rec.runningNow(); n != 0 {
		t.Errorf("%d shadows still running after Close returned", n)
	}
	if n := pool.Stat().AcquiredConns(); n != 0 {
		t.Errorf("%d PostgreSQL connections still acquired", n)
	}
	pool.Close()
	dynalite.Stop() // the restarted process's reaper is the test's, not a leak
	// A connection the SDK's transport dialled for a call that then took
	// another one joins the idle pool when its dial completes, possibly
	// after the first CloseIdleConnections: close idle ones until none are
	// left, for at most 20 s.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		transport.CloseIdleConnections()
		client.CloseIdleConnections()
		err := goleak.Find(before)
		open := transport.open.Load()
		if err == nil && open == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("after shutdown, %d connections to DynamoDB are open; goroutines: %v", open, err)
			break
		}
	}
	t.Logf("%d requests, outcomes %v", total, outcomes)
}

// TestSlowShadowStore puts a delaying TCP proxy between the middleware and
// a private dynalite. Shadows that time out abandon their calls, which the
// repository's dynalite launcher (scripts/dynalite.js) survives.
func TestSlowShadowStore(t *testing.T) {
	pool := openPool(t, testenv.NewDatabase(t))
	dynalite := testenv.StartDynalite(t)
	proxy := testenv.NewDelayProxy(t, strings.TrimPrefix(dynalite.Endpoint(), "http://"), 0)
	ddb, table, transport := openDynamoDB(t, dynalite.Endpoint(), "http://"+proxy.Addr(), dynamodb.WithMaxAttempts(1))
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
				stalled := testenv.NewDelayProxy(t, strings.TrimPrefix(dynalite.Endpoint(), "http://"), time.Hour)
				stalledDDB, _, stalledTransport := openDynamoDB(t, dynalite.Endpoint(), "http://"+stalled.Addr(), dynamodb.WithMaxAttempts(1))
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
					// A shadow started with its primary also gives up on a
					// primary that a loaded machine keeps past the 25 ms.
					outlived := start == middleware.StartWithPrimary && k == "skipped/"+string(telemetry.ReasonPrimaryOutlived)
					if k != "timeout/" && k != "dropped/" && !outlived {
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

// TestPostgresRestartedWhilePrimary restarts PostgreSQL, the primary, in the
// middle of a load. Users get an error exactly for the requests whose
// primary read failed, and no shadow runs for those.
func TestPostgresRestartedWhilePrimary(t *testing.T) {
	pg := testenv.StartPostgres(t)
	pool := openPool(t, pg.URL())
	shared := testenv.DynamoDBEndpoint(t)
	ddb, table, _ := openDynamoDB(t, shared, shared)
	router := backends.NewRouter(map[backends.Name]ProductStore{
		backends.Postgres: &pgProductStore{pool: pool},
		backends.DynamoDB: &ddbProductStore{client: ddb.Client, table: table},
	})
	var (
		mu            sync.Mutex
		primaryFailed = map[string]bool{} // by request id: the primary's read failed
		shadowRan     = map[string]bool{}
		userStatus    = map[string]int{}
	)
	rec := newTally()
	shadow := newShadower(t, rec, middleware.WithComparator(comparator.JSON(comparator.PostgresDynamoDB())))
	url, client := serveCatalog(t, shadow, func(w http.ResponseWriter, r *http.Request) {
		p, err := router.For(r.Context()).Get(r.Context(), chi.URLParam(r, "id"))
		id := r.Header.Get("X-Request-Id")
		mu.Lock()
		if backends.IsShadow(r.Context()) {
			shadowRan[id] = true
		} else {
			primaryFailed[id] = err != nil
		}
		mu.Unlock()
		writeProduct(w, p, err)
	})
	var seq atomic.Int64
	stop := load(4, func(w int) {
		id := fmt.Sprintf("r%d", seq.Add(1))
		code := userGet(t, client, url, catalogProducts[w%2], "X-Request-Id", id)
		mu.Lock()
		userStatus[id] = code
		mu.Unlock()
	})
	stopped := false
	defer func() {
		if !stopped {
			stop()
		}
	}()

	rec.waitUntil(t, "matches before the restart", func(o map[string]int) bool { return o["match/"] >= 20 })
	pg.Stop()
	rec.waitUntil(t, "failed primaries while PostgreSQL is down", func(o map[string]int) bool {
		return o["skipped/primary_failed"] >= 20
	})
	pg.Start()
	matchesBefore := rec.count(telemetry.Match)
	rec.waitUntil(t, "matches after the restart", func(o map[string]int) bool { return o["match/"] >= matchesBefore+20 })
	stop()
	stopped = true
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := shadow.Close(ctx); err != nil {
		t.Fatal(err)
	}

	mu.Lock()
	defer mu.Unlock()
	failed := 0
	for id, status := range userStatus {
		failedRead, served := primaryFailed[id]
		switch {
		case !served:
			t.Errorf("request %s: the handler never ran, yet the user got %d", id, status)
		case failedRead && status != http.StatusServiceUnavailable:
			t.Errorf("request %s: the primary's read failed, yet the user got %d, not the handler's 503", id, status)
		case !failedRead && status != http.StatusOK:
			t.Errorf("request %s: the primary's read succeeded, yet the user got %d", id, status)
		}
		if failedRead {
			failed++
			if shadowRan[id] {
				t.Errorf("request %s: a shadow ran for a failed primary", id)
			}
		}
	}
	outcomes, _ := rec.snapshot()
	if outcomes["skipped/primary_failed"] != failed {
		t.Errorf("%d skipped/primary_failed outcomes, want one per failed primary (%d)", outcomes["skipped/primary_failed"], failed)
	}
	for k := range outcomes {
		switch k {
		case "match/", "dropped/", "skipped/primary_failed":
		default:
			t.Errorf("unexpected outcome %s: %v", k, outcomes)
		}
	}
	t.Logf("%d requests, %d failed with PostgreSQL down; outcomes %v", len(userStatus), failed, outcomes)
}

// TestPrimarySwitchedMidLoad flips the primary flag back and forth while
// requests run. A request reads from one store from start to end, its
// shadow from the other, and the user learns which. One request is held
// between its two reads while the flag flips under it.
func TestPrimarySwitchedMidLoad(t *testing.T) {
	pool := openPool(t, testenv.NewDatabase(t))
	shared := testenv.DynamoDBEndpoint(t)
	ddb, table, _ := openDynamoDB(t, shared, shared)
	router := backends.NewRouter(map[backends.Name]namedStore{
		backends.Postgres: {&pgProductStore{pool: pool}, backends.Postgres},
		backends.DynamoDB: {&ddbProductStore{client: ddb.Client, table: table}, backends.DynamoDB},
	})
	ofClient, switchTo := switchableFlags(t, backends.Postgres)
	decider := flags.New(ofClient, testEvaluation)
	t.Cleanup(decider.Close)
	rec := newTally()
	shadow := newShadower(t, rec, middleware.WithFlags(decider),
		middleware.WithComparator(comparator.JSON(comparator.PostgresDynamoDB())))

	type reads struct{ primary, shadow string }
	var (
		mu     sync.Mutex
		served = map[string]*reads{} // by request id: the stores each execution read, in order
	)
	held, resume := make(chan struct{}), make(chan struct{})
	url, client := serveCatalog(t, shadow, func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		var names []string
		var p Product
		var err error
		for i := range 2 { // two reads, as a handler that loads an item and then its details
			if i == 1 && r.Header.Get("X-Hold") != "" && !backends.IsShadow(ctx) {
				close(held)
				<-resume
			}
			store := router.For(ctx)
			p, err = store.Get(ctx, chi.URLParam(r, "id"))
			names = append(names, string(store.name))
		}
		id := r.Header.Get("X-Request-Id")
		mu.Lock()
		if served[id] == nil {
			served[id] = &reads{}
		}
		if backends.IsShadow(ctx) {
			served[id].shadow = strings.Join(names, ",")
		} else {
			served[id].primary = strings.Join(names, ",")
		}
		mu.Unlock()
		w.Header().Set("X-Served-By", strings.Join(names, ","))
		writeProduct(w, p, err)
	})
	seenBy := map[string]string{} // by request id: X-Served-By as the user got it
	var seenMu sync.Mutex
	request := func(id string, header ...string) {
		req, _ := http.NewRequest(http.MethodGet, url+"/products/p1", nil)
		req.Header.Set("X-Request-Id", id)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Error(err)
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("request %s: user got %d", id, resp.StatusCode)
		}
		seenMu.Lock()
		seenBy[id] = resp.Header.Get("X-Served-By")
		seenMu.Unlock()
	}
	probe := httptest.NewRequest(http.MethodGet, "/products/p1", nil)
	flipTo := func(primary backends.Name) {
		switchTo(primary)
		deadline := time.Now().Add(20 * time.Second)
		for decider.Decide(probe, "/products/{id}").Primary != primary {
			if time.Now().After(deadline) {
				t.Fatalf("the flags did not switch to %s within 20s", primary)
			}
			time.Sleep(time.Millisecond)
		}
	}

	// The held request reads PostgreSQL once, then the flag flips, then it reads again.
	heldDone := make(chan struct{})
	go func() { defer close(heldDone); request("held", "X-Hold", "1") }()
	<-held
	var seq atomic.Int64
	stop := load(4, func(int) { request(fmt.Sprintf("r%d", seq.Add(1))) })
	flipTo(backends.DynamoDB)
	close(resume)
	<-heldDone
	for _, primary := range []backends.Name{backends.Postgres, backends.DynamoDB, backends.Postgres, backends.DynamoDB} {
		from := seq.Load()
		for seq.Load() < from+20 {
			time.Sleep(time.Millisecond)
		}
		flipTo(primary)
	}
	stop()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := shadow.Close(ctx); err != nil {
		t.Fatal(err)
	}

	mu.Lock()
	defer mu.Unlock()
	if got := served["held"]; got == nil || got.primary != "postgres,postgres" || got.shadow != "dynamodb,dynamodb" || seenBy["held"] != "postgres,postgres" {
		t.Errorf("the request held across the flip read %+v and told the user %q; want PostgreSQL for both primary reads and DynamoDB for the shadow's, as decided when it arrived",
			got, seenBy["held"])
	}
	primaries := map[string]int{}
	for id, got := range served {
		primaries[got.primary]++
		switch got.primary {
		case "postgres,postgres", "dynamodb,dynamodb":
		default:
			t.Errorf("request %s: primary read %q: a request served from a half-switched state", id, got.primary)
			continue
		}
		if got.primary != seenBy[id] {
			t.Errorf("request %s: the primary read %q but the user was told %q", id, got.primary, seenBy[id])
		}
		other := map[string]string{"postgres,postgres": "dynamodb,dynamodb", "dynamodb,dynamodb": "postgres,postgres"}[got.primary]
		if got.shadow != "" && got.shadow != other {
			t.Errorf("request %s: primary read %q, shadow read %q, want the shadow on the other store", id, got.primary, got.shadow)
		}
	}
	if primaries["postgres,postgres"] == 0 || primaries["dynamodb,dynamodb"] == 0 {
		t.Errorf("primaries %v: the load did not span the switch", primaries)
	}
	outcomes, _ := rec.snapshot()
	for k := range outcomes {
		if k != "match/" && k != "dropped/" {
			t.Errorf("unexpected outcome %s: %v", k, outcomes)
		}
	}
	t.Logf("%d requests by primary %v; outcomes %v", len(served), primaries, outcomes)
}

// namedStore is a ProductStore that says which backend it is.
type namedStore struct {
	ProductStore
	name backends.Name
}

// TestDynamoDBThrottling puts a proxy in front of DynamoDB that answers with
// real throttling errors for a while. Throttled shadows are shadow errors,
// never user errors, and with WithThrottleBackoff the middleware sends
// fewer shadows while the table throttles.
func TestDynamoDBThrottling(t *testing.T) {
	pool := openPool(t, testenv.NewDatabase(t))
	shared := testenv.DynamoDBEndpoint(t)
	var throttling atomic.Bool
	var calls atomic.Int64
	proxy := throttlingProxy(t, shared, &throttling, &calls)
	// A long window, so the level cannot fall back while the test runs.
	throttle := backends.NewThrottle(backends.DynamoDB, time.Hour)
	ddb, table, _ := openDynamoDB(t, shared, proxy, dynamodb.WithThrottle(throttle))
	router := backends.NewRouter(map[backends.Name]ProductStore{
		backends.Postgres: &pgProductStore{pool: pool},
		backends.DynamoDB: &ddbProductStore{client: ddb.Client, table: table},
	})
	rec := newTally()
	shadow := newShadower(t, rec, middleware.WithThrottleBackoff(throttle),
		middleware.WithComparator(comparator.JSON(comparator.PostgresDynamoDB())))
	url, client := serveCatalog(t, shadow, getProduct(router))
	phase := func(n int) (outcomes map[string]int, shadowCalls int64) {
		before, _ := rec.snapshot()
		callsBefore := calls.Load()
		for i := range n {
			if code := userGet(t, client, url, catalogProducts[i%2]); code != http.StatusOK {
				t.Errorf("user got %d while DynamoDB throttles, want the primary's 200", code)
			}
		}
		rec.waitUntil(t, "every sampled request recorded", func(o map[string]int) bool {
			total := 0
			for k, v := range o {
				total += v - before[k]
			}
			return total == n
		})
		after, _ := rec.snapshot()
		for k := range after {
			after[k] -= before[k]
		}
		return after, calls.Load() - callsBefore
	}

	if got, _ := phase(20); got["match/"] != 20 {
		t.Fatalf("outcomes %v before the throttling, want 20 matches", got)
	}
	throttling.Store(true)
	const n = 200
	got, shadowCalls := phase(n)
	throttling.Store(false)
	for k := range got {
		switch {
		case got[k] == 0, k == "shadow_error/status_5xx", k == "dropped/throttled", k == "dropped/": // all slots busy
		default:
			t.Errorf("outcome %s while DynamoDB throttles (outcomes %v), want only shadow errors and dropped shadows", k, got)
		}
	}
	if got["shadow_error/status_5xx"] == 0 || got["dropped/throttled"] == 0 {
		t.Errorf("outcomes %v, want throttled shadows as shadow errors and others held back", got)
	}
	// Each shadow that runs makes two attempts (one retry); without the
	// back-off all n would run.
	if limit := int64(2 * got["shadow_error/status_5xx"]); shadowCalls > limit {
		t.Errorf("%d calls reached DynamoDB for %d shadows that ran", shadowCalls, got["shadow_error/status_5xx"])
	}
	if lvl := throttle.Level(); lvl != 1 {
		t.Errorf("throttle level %d, want 1 within the first window", lvl)
	}
	after, _ := phase(40)
	if after["match/"] == 0 {
		t.Errorf("outcomes %v once the throttling stopped, want matches again", after)
	}
	t.Logf("while throttling: %d sampled requests, %v, %d calls reached DynamoDB", n, got, shadowCalls)
}

// throttlingProxy stands in front of a DynamoDB-API server. While throttling
// is set it answers every request as DynamoDB does when a table is over its
// capacity: HTTP 400 with a ProvisionedThroughputExceededException body.
// calls counts the requests it receives.
func throttlingProxy(t *testing.T, target string, throttling *atomic.Bool, calls *atomic.Int64) string {
	t.Helper()
	u, err := neturl.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	transport := &http.Transport{}
	t.Cleanup(transport.CloseIdleConnections)
	proxy := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(u)
		},
		Transport: transport,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if !throttling.Load() {
			proxy.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",`+
			`"message":"The level of configured provisioned throughput for the table was exceeded."}`)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
