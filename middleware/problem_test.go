package middleware_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/open-feature/go-sdk/openfeature"
	"github.com/open-feature/go-sdk/openfeature/isolated"
	"github.com/open-feature/go-sdk/openfeature/memprovider"
	"go.opentelemetry.io/otel"

	"github.com/shadowread/shadowread/flags"
	"github.com/shadowread/shadowread/middleware"
	"github.com/shadowread/shadowread/telemetry"
)

// TestProblem: a Shadower that can never shadow says so once through
// otel.Handle, returns it from Problem and shows it as a banner on the report
// page of its recorder; one that can shadow shows none.
func TestProblem(t *testing.T) {
	tests := []struct {
		name    string
		flags   func(t *testing.T) []middleware.Option
		wantIs  error  // nil: no problem
		wantFix string // what the banner and the message name
		reason  string
	}{
		{"bare New", func(*testing.T) []middleware.Option { return nil }, middleware.ErrNoFlags, "middleware.WithFlags(",
			"without flags nothing is ever shadowed"},
		{"WithFlags(nil)", func(*testing.T) []middleware.Option { return []middleware.Option{middleware.WithFlags(nil)} },
			middleware.ErrNoFlags, "middleware.WithFlags(", "nil flags are no flags"},
		{"no provider", func(t *testing.T) []middleware.Option {
			return []middleware.Option{middleware.WithFlags(flagsOf(t, nil))}
		}, flags.ErrNoProvider, "SetProviderAndWait", "the no-op provider never samples"},
		{"sampling", func(t *testing.T) []middleware.Option {
			return []middleware.Option{middleware.WithFlags(flagsOf(t, memprovider.NewInMemoryProvider(map[string]memprovider.InMemoryFlag{
				flags.KeyEnabled:       on(true),
				flags.KeySamplePercent: on(100.0),
				flags.KeyPrimary:       on("postgres"),
			})))}
		}, nil, "", "flags that sample are no problem"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var handled []string
			defer otel.SetErrorHandler(otel.GetErrorHandler())
			otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
				mu.Lock()
				defer mu.Unlock()
				handled = append(handled, err.Error())
			}))
			rec := telemetry.New(nil, nil)
			s := middleware.New(append(tt.flags(t), middleware.WithRecorder(rec), middleware.WithComparator(bytesEqual))...)
			defer s.Close(context.Background())
			h := s.Handler(http.HandlerFunc(sameAnswer))
			serve := func() { h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/products/1", nil)) }
			// The flags learn their provider at their first read.
			for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
				serve()
				if tt.wantIs == nil || s.Problem() != nil {
					break
				}
			}
			for range 3 {
				serve()
			}
			page := reportPage(t, rec)

			err := s.Problem()
			if !errors.Is(err, tt.wantIs) || (tt.wantIs == nil) != (err == nil) {
				t.Fatalf("Problem() = %v, want %v (%s)", err, tt.wantIs, tt.reason)
			}
			mu.Lock()
			defer mu.Unlock()
			if tt.wantIs == nil {
				if strings.Contains(page, `class="problem"`) || len(handled) != 0 {
					t.Errorf("banner on the page or reports %q, want none (%s)", handled, tt.reason)
				}
				return
			}
			if len(handled) != 1 || !strings.Contains(handled[0], tt.wantFix) {
				t.Errorf("otel.Handle got %q, want exactly one message naming %s (%s)", handled, tt.wantFix, tt.reason)
			}
			if !strings.Contains(page, `class="problem"`) || !strings.Contains(page, tt.wantFix) {
				t.Errorf("the report page has no banner naming %s (%s)", tt.wantFix, tt.reason)
			}
		})
	}
}

// flagsOf returns flags read from provider in an API of their own, nil for
// none registered.
func flagsOf(t *testing.T, provider openfeature.FeatureProvider) *flags.Flags {
	t.Helper()
	api := isolated.NewAPI()
	domain := openfeature.WithDomain("problem")
	if provider != nil {
		if err := api.SetProviderAndWait(context.Background(), provider, domain); err != nil {
			t.Fatal(err)
		}
	}
	f := flags.New(api.NewClient(domain), testEvaluation)
	t.Cleanup(func() {
		f.Close()
		if err := api.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return f
}

func on(v any) memprovider.InMemoryFlag {
	return memprovider.InMemoryFlag{DefaultVariant: "v", Variants: map[string]any{"v": v}, State: memprovider.Enabled}
}

// reportPage renders rec's report page as HTML.
func reportPage(t *testing.T, rec *telemetry.OTel) string {
	t.Helper()
	w := httptest.NewRecorder()
	rec.ReportHandler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/debug/shadowread", nil))
	if w.Code != http.StatusOK {
		t.Fatalf("report page: %d %s", w.Code, w.Body)
	}
	return w.Body.String()
}
