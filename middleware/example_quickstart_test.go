package middleware_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/open-feature/go-sdk/openfeature"
	"github.com/open-feature/go-sdk/openfeature/memprovider"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/flags"
	"github.com/shadowread/shadowread/middleware"
	"github.com/shadowread/shadowread/telemetry"
)

// product is what the quickstart's read endpoint returns, from either store.
type product struct {
	ID    string  `json:"id"`
	Name  string  `json:"name"`
	Price float64 `json:"price"`
}

// inMemory is a product store in memory, one per backend.
type inMemory map[string]product

func (m inMemory) Get(_ context.Context, id string) (product, error) {
	p, ok := m[id]
	if !ok {
		return product{}, backends.ErrNotFound
	}
	return p, nil
}

// The quickstart, in memory: two stores that disagree on one product's
// price, flags that shadow every read, and what the dark reads report.
func Example_quickstart() {
	products := backends.NewRouter(map[backends.Name]inMemory{
		backends.Postgres: {"p1": {ID: "p1", Name: "Lamp", Price: 12.50}, "p2": {ID: "p2", Name: "Desk", Price: 240}},
		backends.DynamoDB: {"p1": {ID: "p1", Name: "Lamp", Price: 12.05}, "p2": {ID: "p2", Name: "Desk", Price: 240}},
	})

	// In production the provider is flagd, LaunchDarkly, ...
	on := func(v any) memprovider.InMemoryFlag {
		return memprovider.InMemoryFlag{State: memprovider.Enabled, DefaultVariant: "on", Variants: map[string]any{"on": v}}
	}
	provider := memprovider.NewInMemoryProvider(map[string]memprovider.InMemoryFlag{
		flags.KeyEnabled:       on(true),
		flags.KeySamplePercent: on(100.0),
		flags.KeyPrimary:       on("postgres"),
	})
	if err := openfeature.SetNamedProviderAndWait("quickstart", provider); err != nil {
		fmt.Println(err)
		return
	}
	defer openfeature.Shutdown()
	decider := flags.New(openfeature.NewClient("quickstart"))
	defer decider.Close()

	rec := telemetry.New(nil, nil)
	shadow := middleware.New(
		middleware.WithFlags(decider),
		// ShowValues puts the values into diffs, logs and traces: for
		// development only, values may hold personal data.
		middleware.WithComparator(comparator.JSON(comparator.PostgresDynamoDB(), comparator.ShowValues())),
		middleware.WithRecorder(rec),
	)

	mux := http.NewServeMux()
	mux.Handle("GET /products/{id}", shadow.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := products.For(r.Context()).Get(r.Context(), r.PathValue("id"))
		switch {
		case errors.Is(err, backends.ErrNotFound):
			http.Error(w, "not found", http.StatusNotFound)
		case err != nil:
			http.Error(w, "store unavailable", http.StatusServiceUnavailable)
		default:
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(p)
		}
	})))

	for _, id := range []string{"p1", "p2"} {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/products/"+id, nil))
		fmt.Print("user gets PostgreSQL's ", w.Body.String())
	}

	// Close waits for the shadow read, its comparison and its re-check.
	if err := shadow.Close(context.Background()); err != nil {
		fmt.Println(err)
		return
	}
	// What the report page (rec.ReportHandler()) shows, in short.
	for _, rr := range rec.Report().Routes {
		var outcomes []string
		for _, oc := range rr.Outcomes {
			if oc.Count > 0 {
				outcomes = append(outcomes, fmt.Sprintf("%d %s", oc.Count, oc.Outcome))
			}
		}
		fmt.Printf("%s %s→%s: %s\n", rr.Route, rr.Primary, rr.Shadow, strings.Join(outcomes, ", "))
		for _, sig := range rr.Signatures {
			for _, d := range sig.Diffs {
				fmt.Printf("  %s %s: %s -> %s\n", d.Kind, d.Field, d.Primary, d.Shadow)
			}
		}
		fmt.Printf("  ready: %v (failure rate at most %.0f%% after %d samples)\n", rr.Ready, 100*rr.UpperBound, rr.Samples)
	}
	// Output:
	// user gets PostgreSQL's {"id":"p1","name":"Lamp","price":12.5}
	// user gets PostgreSQL's {"id":"p2","name":"Desk","price":240}
	// /products/{id} postgres→dynamodb: 1 match, 1 mismatch
	//   value_changed price: 12.5 -> 12.05
	//   ready: false (failure rate at most 97% after 2 samples)
}
