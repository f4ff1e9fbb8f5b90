package middleware_test

import (
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/open-feature/go-sdk/openfeature"
	"github.com/open-feature/go-sdk/openfeature/isolated"
	"github.com/open-feature/go-sdk/openfeature/memprovider"
	"go.opentelemetry.io/otel"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/flags"
	"github.com/shadowread/shadowread/middleware"
)

// TestBadFlagValues feeds the flags the provider may hold by mistake through
// the real flags package into the middleware. Every request is served,
// nothing panics, and what cannot be used gives the safe decision and a
// report to otel.Handle.
func TestBadFlagValues(t *testing.T) {
	tests := []struct {
		name        string
		enabled     any
		percent     any
		primary     any
		wantPrimary backends.Name
		wantShadows bool
		wantReport  string // in the error handed to otel.Handle
		reason      string
	}{
		{"percent above 100", true, 150.0, "postgres", backends.Postgres, true, "above 100",
			"clamped to 100: the operator meant a lot"},
		{"percent below 0", true, -5.0, "postgres", backends.Postgres, false, "below 0",
			"clamped to 0"},
		{"percent NaN", true, math.NaN(), "postgres", backends.Postgres, false, "NaN",
			"NaN compares false with everything, so it is caught before it can sample all or nothing by accident"},
		{"percent +Inf", true, math.Inf(1), "postgres", backends.Postgres, true, "above 100",
			"infinity is above 100"},
		{"percent of the wrong type", true, "half", "postgres", backends.Postgres, false, "shadowread.sample-percent",
			"a string where a number belongs is an evaluation error: no shadowing"},
		{"unknown primary", true, 100.0, "mysql", backends.Postgres, false, "unknown backend",
			"the intended direction is unknown, so PostgreSQL serves and nothing is compared"},
		{"primary of the wrong type", true, 100.0, 42, backends.Postgres, true, "shadowread.primary",
			"a type error on the primary keeps PostgreSQL and the other flags apply"},
		{"enabled of the wrong type", "yes", 100.0, "dynamodb", backends.DynamoDB, false, "shadowread.enabled",
			"the primary still applies; shadowing stays off"},
		{"switched with shadowing off", false, 100.0, "dynamodb", backends.DynamoDB, false, "",
			"the primary switch outlives the dark reads"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var reports []string
			defer otel.SetErrorHandler(otel.GetErrorHandler())
			otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
				mu.Lock()
				defer mu.Unlock()
				reports = append(reports, err.Error())
			}))

			decider := flags.New(memFlags(t, tt.enabled, tt.percent, tt.primary), testEvaluation)
			t.Cleanup(decider.Close)
			rec := newTally()
			var shadows atomic.Int32
			s := newShadower(t, rec, middleware.WithFlags(decider))
			h := s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if backends.IsShadow(r.Context()) {
					shadows.Add(1)
				}
				byBackend(w, r)
			}))
			for range 20 {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/products/1", nil))
				if w.Code != http.StatusOK || w.Header().Get("X-Backend") != string(tt.wantPrimary) {
					t.Fatalf("user got %d from %q, want 200 from %s (%s)", w.Code, w.Header().Get("X-Backend"), tt.wantPrimary, tt.reason)
				}
			}
			if err := s.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got := shadows.Load() > 0; got != tt.wantShadows {
				t.Errorf("shadowed = %v (%d shadows of 20), want %v (%s)", got, shadows.Load(), tt.wantShadows, tt.reason)
			}
			mu.Lock()
			defer mu.Unlock()
			all := strings.Join(reports, "\n")
			if tt.wantReport == "" && all != "" || !strings.Contains(all, tt.wantReport) {
				t.Errorf("reported %q, want a report containing %q", all, tt.wantReport)
			}
		})
	}
}

// memFlags returns an OpenFeature client whose in-memory provider holds the
// three flags with the given values, of whatever type.
func memFlags(t *testing.T, enabled, percent, primary any) *openfeature.Client {
	t.Helper()
	flag := func(v any) memprovider.InMemoryFlag {
		return memprovider.InMemoryFlag{DefaultVariant: "v", Variants: map[string]any{"v": v}, State: memprovider.Enabled}
	}
	api := isolated.NewAPI()
	t.Cleanup(func() { api.Shutdown(context.Background()) })
	domain := openfeature.WithDomain("catalog")
	provider := memprovider.NewInMemoryProvider(map[string]memprovider.InMemoryFlag{
		flags.KeyEnabled: flag(enabled), flags.KeySamplePercent: flag(percent), flags.KeyPrimary: flag(primary),
	})
	if err := api.SetProviderAndWait(context.Background(), provider, domain); err != nil {
		t.Fatal(err)
	}
	return api.NewClient(domain)
}

// TestBadDecisions hands the middleware decisions no real decider should
// make. It must never route to an unknown store, nor shadow a store with
// itself.
func TestBadDecisions(t *testing.T) {
	tests := []struct {
		name        string
		decision    flags.Decision
		wantPrimary backends.Name
		wantShadow  backends.Name // "" for no shadow
		reason      string
	}{
		{"unknown primary", flags.Decision{Primary: "mysql", Sampled: true}, backends.Postgres, "",
			"an unknown primary gives the safe decision: PostgreSQL, no shadow"},
		{"empty decision", flags.Decision{Sampled: true}, backends.Postgres, "",
			"a zero Decision is not a licence to shadow"},
		{"DynamoDB primary", flags.Decision{Primary: backends.DynamoDB, Sampled: true}, backends.DynamoDB, backends.Postgres,
			"the shadow is always the other store"},
		{"PostgreSQL primary", flags.Decision{Primary: backends.Postgres, Sampled: true}, backends.Postgres, backends.DynamoDB,
			"the shadow is always the other store"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newSpy()
			s := newShadower(t, rec, middleware.WithFlags(flags.DeciderFunc(func(*http.Request, string) flags.Decision { return tt.decision })))
			shadowTarget := make(chan backends.Name, 1)
			h := s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if backends.IsShadow(r.Context()) {
					shadowTarget <- backends.Target(r.Context())
				}
				byBackend(w, r)
			}))
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
			if err := s.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got := w.Header().Get("X-Backend"); got != string(tt.wantPrimary) {
				t.Errorf("served by %q, want %s (%s)", got, tt.wantPrimary, tt.reason)
			}
			var got backends.Name
			select {
			case got = <-shadowTarget:
			default:
			}
			if got != tt.wantShadow {
				t.Errorf("shadow ran against %q, want %q (%s)", got, tt.wantShadow, tt.reason)
			}
		})
	}
}

// TestOptionMisuse: options that cannot work panic at construction with the
// package's prefix and the fix; nil options and nil arguments fall back to
// the documented defaults.
func TestOptionMisuse(t *testing.T) {
	panics := []struct {
		name    string
		build   func()
		wantMsg string
	}{
		{"no slots", func() { middleware.WithMaxConcurrent(0) }, "need at least 1 slot"},
		{"negative slots", func() { middleware.WithMaxConcurrent(-3) }, "need at least 1 slot"},
		{"zero timeout", func() { middleware.WithTimeout(0) }, "positive timeout"},
		{"negative timeout", func() { middleware.WithTimeout(-time.Second) }, "positive timeout"},
		{"zero cap", func() { middleware.WithMaxBodyBytes(0) }, "cap must be positive"},
		{"no methods", func() { middleware.WithMethods() }, "at least one method"},
		{"unknown start", func() { middleware.WithStart(middleware.Start(7)) }, "StartAfterPrimary or middleware.StartWithPrimary"},
		{"nil handler", func() { middleware.New().Handler(nil) }, "Handler(nil)"},
	}
	for _, tt := range panics {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				msg, _ := recover().(string)
				if !strings.HasPrefix(msg, "middleware: ") || !strings.Contains(msg, tt.wantMsg) {
					t.Errorf("panic = %q, want a middleware: panic containing %q", msg, tt.wantMsg)
				}
			}()
			tt.build()
		})
	}

	t.Run("nil options fall back to defaults", func(t *testing.T) {
		var handled atomic.Int32
		defer otel.SetErrorHandler(otel.GetErrorHandler())
		otel.SetErrorHandler(otel.ErrorHandlerFunc(func(error) { handled.Add(1) }))
		s := middleware.New(nil, middleware.Options{nil},
			middleware.WithFlags(nil), middleware.WithComparator(nil), middleware.WithRecorder(nil),
			middleware.WithShadowHandler(nil), middleware.WithRoute(nil), middleware.WithThrottleBackoff(nil))
		defer s.Close(context.Background())
		var shadows atomic.Int32
		h := s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if backends.IsShadow(r.Context()) {
				shadows.Add(1)
			}
			byBackend(w, r)
		}))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
		if err := s.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		if w.Code != http.StatusOK || w.Header().Get("X-Backend") != "postgres" || shadows.Load() != 0 {
			t.Errorf("user got %d from %q with %d shadows, want PostgreSQL alone: without flags nothing is shadowed",
				w.Code, w.Header().Get("X-Backend"), shadows.Load())
		}
		if handled.Load() != 1 {
			t.Errorf("%d errors reported for a configuration of defaults, want one: no flags, nothing shadowed", handled.Load())
		}
	})

	t.Run("nil defaults still shadow when the flags say so", func(t *testing.T) {
		// The default comparator and recorder must work, not just exist.
		s := middleware.New(middleware.WithFlags(always(backends.Postgres, true)),
			middleware.WithComparator(nil), middleware.WithRecorder(nil), middleware.WithShadowHandler(nil))
		done := make(chan struct{})
		var once sync.Once
		h := s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if backends.IsShadow(r.Context()) {
				defer once.Do(func() { close(done) })
			}
			sameAnswer(w, r)
		}))
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatal("no shadow ran within 20s")
		}
		if err := s.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
}
