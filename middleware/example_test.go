package middleware_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
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
		middleware.WithComparator(comparator.JSON(comparator.IgnorePaths("updated_at"))),
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
			return flags.Decision{Primary: backends.Postgres, Shadow: backends.DynamoDB, Sampled: true}
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
			return flags.Decision{Primary: backends.Postgres, Shadow: backends.DynamoDB, Sampled: true}
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
