package middleware_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/open-feature/go-sdk/openfeature"
	"github.com/open-feature/go-sdk/openfeature/memprovider"

	"github.com/shadowread/shadowread/backends"
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
		backends.Postgres: {"p1": {ID: "p1", Name: "Lamp", Price: 12.50}},
		backends.DynamoDB: {"p1": {ID: "p1", Name: "Lamp", Price: 12.05}}, // a bad backfill
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
	shadow := middleware.New(middleware.WithFlags(decider), middleware.WithRecorder(rec))

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

	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/products/p1", nil))
	fmt.Print("the user gets PostgreSQL's answer: ", w.Body.String())

	// Close waits for the shadow read, its comparison and its re-check.
	if err := shadow.Close(context.Background()); err != nil {
		fmt.Println(err)
		return
	}
	for _, rr := range rec.Report().Routes {
		for _, oc := range rr.Outcomes {
			if oc.Count > 0 {
				fmt.Printf("%s %s→%s: %d %s\n", rr.Route, rr.Primary, rr.Shadow, oc.Count, oc.Outcome)
			}
		}
		for _, sig := range rr.Signatures {
			for _, d := range sig.Diffs {
				fmt.Printf("diff: %s %s (%s)\n", d.Field, d.Kind, d.Triage)
			}
		}
		fmt.Printf("ready: %v, failure rate at most %.0f%% after %d samples\n", rr.Ready, 100*rr.UpperBound, rr.Samples)
	}
	_ = io.Discard
	// Output:
}
