package middleware_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/open-feature/go-sdk/openfeature"
	"go.opentelemetry.io/otel"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/backends/dynamodb"
	"github.com/shadowread/shadowread/backends/postgres"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/flags"
	"github.com/shadowread/shadowread/middleware"
	"github.com/shadowread/shadowread/telemetry"
)

// The catalog service of the README: one read handler, two stores, and a
// flag-controlled share of reads shadowed against DynamoDB.
func Example() {
	ctx := context.Background()
	pool, err := postgres.Open(ctx, os.Getenv("SHADOWREAD_PG_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	ddb, err := dynamodb.New(ctx, dynamodb.WithEndpoint(os.Getenv("SHADOWREAD_DYNAMODB_ENDPOINT")))
	if err != nil {
		log.Fatal(err)
	}
	defer ddb.Close()
	pgStore := &pgProductStore{pool: pool}
	ddbStore := &ddbProductStore{client: ddb.Client, table: "catalog"}

	products := backends.NewRouter(map[backends.Name]ProductStore{
		backends.Postgres: pgStore,
		backends.DynamoDB: ddbStore,
	})

	shadow := middleware.New(
		middleware.WithFlags(flags.New(openfeature.NewClient("catalog"))),
		middleware.WithComparator(comparator.JSON(comparator.PostgresDynamoDB(), comparator.IgnorePaths("updated_at"))),
		middleware.WithRecorder(telemetry.New(otel.GetTracerProvider(), otel.GetMeterProvider())),
	)
	defer shadow.Close(context.Background())

	r := chi.NewRouter()
	r.With(shadow.Handler).Get("/products/{id}", func(w http.ResponseWriter, r *http.Request) {
		p, err := products.For(r.Context()).Get(r.Context(), chi.URLParam(r, "id"))
		writeProduct(w, p, err)
	})
	log.Fatal(http.ListenAndServe(":8080", r))
}

// Shadow reads back off while DynamoDB throttles. In a service the throttle
// is shared with the DynamoDB client, which notes every throttled call:
// dynamodb.New(ctx, dynamodb.WithThrottle(throttle)).
func ExampleWithThrottleBackoff() {
	throttle := backends.NewThrottle(backends.DynamoDB, time.Second)
	outcomes := outcomeChan(make(chan string, 256))
	shadow := middleware.New(
		middleware.WithFlags(flags.DeciderFunc(func(*http.Request, string) flags.Decision {
			return flags.Decision{Primary: backends.Postgres, Sampled: true}
		})),
		middleware.WithRecorder(outcomes),
		middleware.WithThrottleBackoff(throttle),
	)
	defer shadow.Close(context.Background())
	h := shadow.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"id":"p1"}`)
	}))
	// serve serves n sampled requests and counts their outcomes, one each.
	serve := func(n int) map[string]int {
		counts := map[string]int{}
		for range n {
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/products/p1", nil))
			counts[<-outcomes]++
		}
		return counts
	}

	fmt.Println("before:", serve(1))
	throttle.Note() // the client saw a ProvisionedThroughputExceededException
	counts := serve(200)
	fmt.Println("throttle level:", throttle.Level())
	fmt.Println("some held back:", counts["dropped/throttled"] > 0, "- some shadowed:", counts["match"] > 0)
	// Output:
	// before: map[match:1]
	// throttle level: 1
	// some held back: true - some shadowed: true
}

// outcomeChan is a telemetry.Recorder that sends each outcome, with its
// reason if any, to the channel.
type outcomeChan chan string

func (c outcomeChan) StartShadow(ctx context.Context, _ telemetry.Event) context.Context { return ctx }

func (c outcomeChan) Record(_ context.Context, e telemetry.Event) {
	if e.Reason != "" {
		c <- string(e.Outcome) + "/" + string(e.Reason)
		return
	}
	c <- string(e.Outcome)
}

// eventChan is a telemetry.Recorder that sends each event to the channel.
type eventChan chan telemetry.Event

func (c eventChan) StartShadow(ctx context.Context, _ telemetry.Event) context.Context { return ctx }

func (c eventChan) Record(_ context.Context, e telemetry.Event) { c <- e }

// everyRequest samples every request, PostgreSQL primary.
var everyRequest = flags.DeciderFunc(func(*http.Request, string) flags.Decision {
	return flags.Decision{Primary: backends.Postgres, Sampled: true}
})

// A read that raced a write sees DynamoDB a moment behind PostgreSQL. The
// re-check reads both again and finds them equal: a transient mismatch,
// which does not count against readiness.
func ExampleWithRecheck() {
	events := make(chan telemetry.Event, 1)
	shadow := middleware.New(
		middleware.WithFlags(everyRequest),
		middleware.WithRecorder(eventChan(events)),
		middleware.WithRecheck(50*time.Millisecond),
	)
	defer shadow.Close(context.Background())
	var dynamoReads atomic.Int32
	h := shadow.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if backends.Target(r.Context()) == backends.DynamoDB && dynamoReads.Add(1) == 1 {
			io.WriteString(w, `{"id":"p1","price":12.5}`) // the write has not reached DynamoDB yet
			return
		}
		io.WriteString(w, `{"id":"p1","price":13.5}`)
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/products/p1", nil))
	ev := <-events
	fmt.Println("outcome:", ev.Outcome, "- re-check:", ev.Recheck)
	// Output:
	// outcome: transient - re-check: transient
}

// The entity key names what a sampled request read, so a mismatch can be
// looked up by product.
func ExampleWithEntityKey() {
	events := make(chan telemetry.Event, 1)
	shadow := middleware.New(
		middleware.WithFlags(everyRequest),
		middleware.WithRecorder(eventChan(events)),
		middleware.WithEntityKey(func(r *http.Request) string { return chi.URLParam(r, "id") }),
	)
	defer shadow.Close(context.Background())
	r := chi.NewRouter()
	r.With(shadow.Handler).Get("/products/{id}", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"id":"p1"}`)
	})
	r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/products/p1", nil))
	ev := <-events
	fmt.Println("entity:", ev.EntityKey, "- outcome:", ev.Outcome)
	// Output:
	// entity: p1 - outcome: match
}

// A handler that stamps each answer with a fresh request id differs from
// itself on every read. The noise baseline learns that from pairs of
// primary reads, and the pairs of primary and shadow match again.
func ExampleWithNoiseBaseline() {
	events := make(chan telemetry.Event, 2)
	shadow := middleware.New(
		middleware.WithFlags(everyRequest),
		middleware.WithRecorder(eventChan(events)),
		middleware.WithNoiseBaseline(100), // a share such as 5 in production
	)
	defer shadow.Close(context.Background())
	var n atomic.Int64
	mux := http.NewServeMux()
	mux.Handle("GET /products/{id}", shadow.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":%q,"request_id":"r%d"}`, r.PathValue("id"), n.Add(1))
	})))
	var last telemetry.Event
	// A request id differs between two reads of every product: after
	// NoiseMinPairs pairs over NoiseMinEntities products it is learned.
	for i := range middleware.NoiseMinPairs {
		mux.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, fmt.Sprintf("/products/p%d", i), nil))
		<-events // the A/A pair: PostgreSQL against itself
		last = <-events
	}
	fmt.Println("learned:", shadow.Noise("/products/{id}"))
	fmt.Println("last pair:", last.Outcome, "- absorbed:", last.Noise)
	// Output:
	// learned: [request_id]
	// last pair: match - absorbed: [request_id]
}

// The latency guard holds shadows back while the primary runs slower beside
// them than without them; LatencyGuardShare reports the share it lets
// through, for a dashboard or a benchmark.
func ExampleWithLatencyGuard() {
	events := make(chan telemetry.Event, 1)
	shadow := middleware.New(
		middleware.WithFlags(everyRequest),
		middleware.WithRecorder(eventChan(events)),
		// Back off while the primary is 20% slower beside shadows, one
		// step per second.
		middleware.WithLatencyGuard(1.2, time.Second),
	)
	defer shadow.Close(context.Background())
	mux := http.NewServeMux()
	mux.Handle("GET /products/{id}", shadow.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"id":"p1"}`)
	})))
	mux.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/products/p1", nil))
	fmt.Println("outcome:", (<-events).Outcome)
	fmt.Println("share:", shadow.LatencyGuardShare("/products/{id}"))
	// Output:
	// outcome: match
	// share: 1
}

// After a data repair, the requests behind a mismatch signature are run
// again on both stores, and the report says whether the fix took.
func ExampleShadower_Reverify() {
	events := make(chan telemetry.Event, 1)
	shadow := middleware.New(
		middleware.WithFlags(everyRequest),
		middleware.WithRecorder(eventChan(events)),
	)
	defer shadow.Close(context.Background())
	var repaired atomic.Bool
	r := chi.NewRouter()
	r.With(shadow.Handler).Get("/products/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if backends.Target(r.Context()) == backends.DynamoDB && !repaired.Load() {
			io.WriteString(w, `{"id":"p1","price":12.5}`) // the backfill lost an update
			return
		}
		io.WriteString(w, `{"id":"p1","price":13.5}`)
	})
	r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/products/p1", nil))
	ev := <-events
	fmt.Println("outcome:", ev.Outcome, "- re-check:", ev.Recheck)

	repaired.Store(true) // the item is copied again
	report, err := shadow.Reverify(context.Background(), ev.Route, ev.Result.Signature())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("re-run %d, matching %d, fixed %v\n", report.Requests, report.Matches, report.Fixed)
	// Output:
	// outcome: mismatch - re-check: confirmed
	// re-run 1, matching 1, fixed true
}

// Each open mismatch signature keeps the last requests behind it, up to the
// sample size, for Reverify.
func ExampleWithReverifySample() {
	events := make(chan telemetry.Event, 8)
	shadow := middleware.New(
		middleware.WithFlags(everyRequest),
		middleware.WithRecorder(eventChan(events)),
		middleware.WithRecheck(0),
		middleware.WithReverifySample(2),
	)
	defer shadow.Close(context.Background())
	r := chi.NewRouter()
	r.With(shadow.Handler).Get("/products/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		stock := 7
		if backends.Target(r.Context()) == backends.DynamoDB {
			stock = 6 // a lost update
		}
		fmt.Fprintf(w, `{"id":%q,"stock":%d}`, chi.URLParam(r, "id"), stock)
	})
	for _, id := range []string{"p1", "p2", "p3"} {
		r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/products/"+id, nil))
		<-events
	}
	for _, open := range shadow.OpenSignatures() {
		fmt.Println(open.Route, "- requests kept:", open.Requests)
	}
	// Output:
	// /products/{id} - requests kept: 2
}

// Context values are shared by pointer between the primary and the shadow.
// An authentication middleware's *User, which the handler changes, is
// copied for the shadow so the two never see each other's changes.
func ExampleWithShadowContext() {
	type userKey struct{}
	type User struct{ Name string }
	shadowSaw := make(chan string, 1)
	outcomes := outcomeChan(make(chan string, 1))
	shadow := middleware.New(
		middleware.WithFlags(flags.DeciderFunc(func(*http.Request, string) flags.Decision {
			return flags.Decision{Primary: backends.Postgres, Sampled: true}
		})),
		middleware.WithRecorder(outcomes),
		middleware.WithShadowContext(func(ctx context.Context) context.Context {
			if u, ok := ctx.Value(userKey{}).(*User); ok {
				c := *u
				return context.WithValue(ctx, userKey{}, &c)
			}
			return ctx
		}),
	)
	defer shadow.Close(context.Background())
	h := shadow.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := r.Context().Value(userKey{}).(*User)
		if backends.IsShadow(r.Context()) {
			shadowSaw <- u.Name
		} else {
			u.Name = "renamed by the primary"
		}
		io.WriteString(w, `{"ok":true}`)
	}))
	req := httptest.NewRequest(http.MethodGet, "/me", nil)
	req = req.WithContext(context.WithValue(req.Context(), userKey{}, &User{Name: "ada"}))
	h.ServeHTTP(httptest.NewRecorder(), req)
	fmt.Println("shadow saw:", <-shadowSaw)
	fmt.Println("outcome:", <-outcomes)
	// Output:
	// shadow saw: ada
	// outcome: match
}

// Mounted on a chi root router, the middleware sees every route; health
// checks and the report page are skipped by default, and WithRoutes narrows
// shadowing to the routes that read the stores being migrated.
func ExampleWithRoutes() {
	events := make(chan telemetry.Event, 4)
	shadow := middleware.New(
		middleware.WithFlags(everyRequest),
		middleware.WithRecorder(eventChan(events)),
		middleware.WithRoutes("/products/*"),
	)
	defer shadow.Close(context.Background())
	r := chi.NewRouter()
	r.Use(shadow.Handler)
	r.Get("/products/{id}", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"id":"p1"}`) })
	r.Get("/orders/{id}", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"id":"o1"}`) })
	r.Get("/healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	for _, path := range []string{"/healthz", "/orders/o1", "/products/p1"} {
		r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, path, nil))
	}
	fmt.Println("shadowed:", (<-events).Route)
	// Output: shadowed: /products/{id}
}

// A Shadower that can never shadow says so: once through otel.Handle, in
// Problem for a status page, and as a banner on its recorder's report page.
func ExampleShadower_Problem() {
	shadow := middleware.New() // no WithFlags: nothing would ever be shadowed
	defer shadow.Close(context.Background())
	fmt.Println(errors.Is(shadow.Problem(), middleware.ErrNoFlags))

	fine := middleware.New(middleware.WithFlags(everyRequest))
	defer fine.Close(context.Background())
	fmt.Println(fine.Problem())
	// Output:
	// true
	// <nil>
}
