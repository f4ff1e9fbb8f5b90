package middleware_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/middleware"
	"github.com/shadowread/shadowread/telemetry"
)

// Secrets a request and its responses carry. None of them may leave the
// process through telemetry unless the user opted in to diff values
// (comparator.ShowValues), and
// the request's credentials and raw path never.
const (
	secretBody   = "card-4111-SECRET-BODY"
	secretAuth   = "Bearer tok-SECRET-AUTH"
	secretCookie = "session=SECRET-COOKIE"
	secretPath   = "acct-SECRET-PATH"
	secretQuery  = "SECRET-QUERY"
)

// TestSecretsStayOutOfTelemetry serves requests carrying secrets in their
// headers, path, query and response bodies through the middleware with the
// real OpenTelemetry recorder, in every outcome that says something about a
// body, and looks for the secrets in every metric, span, span event, log
// line, report page and error handed to otel.Handle.
func TestSecretsStayOutOfTelemetry(t *testing.T) {
	tests := []struct {
		name          string
		recorderOpts  []telemetry.Option
		comparatorOps []comparator.Option
		wantBodyShown bool
		reason        string
	}{
		{"default", nil, nil, false,
			"diff values never leave the process unless the user opts in"},
		{"comparator shows values, recorder does not", nil, []comparator.Option{comparator.ShowValues()}, true,
			"comparator.ShowValues is the one development option: values reach spans, logs and the report; credentials and paths still never do"},
		{"recorder opts in, comparator redacts", []telemetry.Option{telemetry.WithDiffValues()}, nil, false,
			"the comparator redacts values unless told to show them, so there is nothing to show"},
		{"opted in", []telemetry.Option{telemetry.WithDiffValues()}, []comparator.Option{comparator.ShowValues()}, true,
			"with both opted in, diff values reach spans and logs; credentials and paths still never do"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var handled lockedBuffer
			defer otel.SetErrorHandler(otel.GetErrorHandler())
			otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) { fmt.Fprintln(&handled, err) }))

			spans := tracetest.NewSpanRecorder()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
			reader := sdkmetric.NewManualReader()
			mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
			defer tp.Shutdown(context.Background())
			defer mp.Shutdown(context.Background())
			var logs lockedBuffer
			rec := telemetry.New(tp, mp, append([]telemetry.Option{
				telemetry.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
			}, tt.recorderOpts...)...)

			shadowAnswer := make(chan string, 1) // how the next shadow answers
			s := middleware.New(
				middleware.WithFlags(always(backends.Postgres, true)),
				middleware.WithComparator(comparator.JSON(append([]comparator.Option{comparator.CompareHeaders()}, tt.comparatorOps...)...)),
				middleware.WithRecorder(rec),
				middleware.WithTimeout(50*time.Millisecond),
				middleware.WithMaxBodyBytes(1<<10),
				middleware.WithMethods(http.MethodGet, http.MethodPost))
			defer s.Close(context.Background())
			r := chi.NewRouter()
			r.With(s.Handler).HandleFunc("/accounts/{id}", func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body)
				// A response header is a response value like the body: shown
				// only when diff values are opted in.
				w.Header().Set("Set-Cookie", "card="+secretBody+"-"+string(backends.Target(r.Context())))
				w.Header().Set("Content-Type", "application/json")
				if !backends.IsShadow(r.Context()) {
					fmt.Fprintf(w, `{"id":"a1","card":%q}`, secretBody+"-primary")
					return
				}
				switch <-shadowAnswer {
				case "mismatch":
					fmt.Fprintf(w, `{"id":"a1","card":%q}`, secretBody+"-shadow")
				case "5xx":
					w.WriteHeader(http.StatusInternalServerError)
					fmt.Fprintf(w, `{"error":"store failed reading %s"}`, secretBody)
				case "slow":
					<-r.Context().Done()
				case "large":
					fmt.Fprintf(w, `{"card":%q,"pad":%q}`, secretBody, strings.Repeat("x", 2<<10))
				case "not json":
					fmt.Fprintf(w, "card=%s", secretBody)
				}
			})
			srv := httptest.NewServer(r)
			defer srv.Close()
			client := &http.Client{Transport: &http.Transport{}}
			defer client.CloseIdleConnections()

			answers := []string{"mismatch", "5xx", "slow", "large", "not json"}
			for _, answer := range answers {
				shadowAnswer <- answer
				send(t, client, http.MethodGet, srv.URL+"/accounts/"+secretPath+"?token="+secretQuery, "")
			}
			// A request body over the cap is skipped before any shadow runs.
			send(t, client, http.MethodPost, srv.URL+"/accounts/"+secretPath, strings.Repeat(secretBody, 100))
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			if err := s.Close(ctx); err != nil {
				t.Fatal(err)
			}

			outputs := map[string]string{
				"metrics":     collectMetrics(t, reader),
				"spans":       renderSpans(spans),
				"logs":        logs.String(),
				"report":      renderReport(rec),
				"otel.Handle": handled.String(),
			}
			if n := len(spans.Ended()); n != len(answers) {
				t.Fatalf("%d shadow spans, want %d: the check would prove nothing", n, len(answers))
			}
			for _, name := range []string{"metrics", "spans", "logs", "report"} {
				if outputs[name] == "" {
					t.Fatalf("%s: empty output, the check would prove nothing", name)
				}
			}
			for name, text := range outputs {
				for _, secret := range []string{secretAuth, "SECRET-AUTH", "SECRET-COOKIE", secretPath, secretQuery} {
					if strings.Contains(text, secret) {
						t.Errorf("%s shows the request's %q: %s", name, secret, text)
					}
				}
				shown := strings.Contains(text, secretBody)
				want := tt.wantBodyShown && (name == "spans" || name == "logs" || name == "report")
				if shown != want {
					t.Errorf("%s: body secret shown = %v, want %v (%s):\n%s", name, shown, want, tt.reason, text)
				}
			}
			if !strings.Contains(outputs["spans"], "/accounts/{id}") {
				t.Errorf("spans do not name the route pattern:\n%s", outputs["spans"])
			}
		})
	}
}

func send(t *testing.T, client *http.Client, method, url, body string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", secretAuth)
	req.Header.Set("Cookie", secretCookie)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("%s %s: user got %d", method, url, resp.StatusCode)
	}
}

// collectMetrics renders every metric with its attributes and exemplars.
func collectMetrics(t *testing.T, reader *sdkmetric.ManualReader) string {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			b.WriteString(m.Name)
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, dp := range d.DataPoints {
					fmt.Fprintf(&b, " %s %+v", dp.Attributes.Encoded(attribute.DefaultEncoder()), dp.Exemplars)
				}
			case metricdata.Histogram[float64]:
				for _, dp := range d.DataPoints {
					fmt.Fprintf(&b, " %s %+v", dp.Attributes.Encoded(attribute.DefaultEncoder()), dp.Exemplars)
				}
			default:
				fmt.Fprintf(&b, " %+v", m.Data)
			}
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// renderSpans renders every ended span: name, attributes, status, links and
// events with their attributes.
func renderSpans(spans *tracetest.SpanRecorder) string {
	var b strings.Builder
	for _, s := range spans.Ended() {
		fmt.Fprintf(&b, "%s %v %+v %+v\n", s.Name(), s.Attributes(), s.Status(), s.Links())
		for _, ev := range s.Events() {
			fmt.Fprintf(&b, "  %s %v\n", ev.Name, ev.Attributes)
		}
	}
	return b.String()
}

// renderReport renders the recorder's report page as HTML and as JSON.
func renderReport(rec *telemetry.OTel) string {
	var b strings.Builder
	for _, target := range []string{"/", "/?format=json"} {
		w := httptest.NewRecorder()
		rec.ReportHandler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
		b.Write(w.Body.Bytes())
	}
	return b.String()
}

// lockedBuffer is a bytes.Buffer that loggers and error handlers on several
// goroutines can share.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestShadowCannotAlterTheRequest lets the shadow scribble on every part of
// its request: headers, URL, form, body, trailer, chi's URL parameters.
// Neither the primary handler (running at the same time, with
// StartWithPrimary) nor middleware before and after it sees any of it.
func TestShadowCannotAlterTheRequest(t *testing.T) {
	type view struct {
		tenant, path, query, form, param, host, trailer string
	}
	look := func(r *http.Request) view {
		return view{
			tenant: r.Header.Get("X-Tenant"), path: r.URL.Path, query: r.URL.RawQuery,
			form: r.Form.Get("q"), param: chi.URLParam(r, "id"), host: r.Host, trailer: r.Trailer.Get("X-Sum"),
		}
	}
	want := view{tenant: "acme", path: "/orders/o1", query: "page=2", form: "shoes", param: "o1", host: "shop.example", trailer: "abc"}
	for _, start := range []middleware.Start{middleware.StartAfterPrimary, middleware.StartWithPrimary} {
		t.Run(startName(start), func(t *testing.T) {
			rec := newSpy()
			s := newShadower(t, rec, middleware.WithStart(start), middleware.WithMethods(http.MethodPost))
			scribbled := make(chan struct{})
			var primaryView, innerView view
			handler := func(w http.ResponseWriter, r *http.Request) {
				r.ParseForm() // reads the body
				if backends.IsShadow(r.Context()) {
					r.Header.Set("X-Tenant", "shadow")
					r.Header.Del("Content-Type")
					r.URL.Path, r.URL.RawQuery, r.Host = "/shadow", "page=99", "evil.example"
					r.Form.Set("q", "shadow")
					r.Trailer.Set("X-Sum", "shadow")
					r.Body = io.NopCloser(strings.NewReader("shadow"))
					if rc := chi.RouteContext(r.Context()); rc != nil {
						for i := range rc.URLParams.Values {
							rc.URLParams.Values[i] = "shadow"
						}
					}
					close(scribbled)
					io.WriteString(w, "ok")
					return
				}
				if start == middleware.StartWithPrimary {
					<-scribbled // the shadow has done its worst, concurrently
				}
				primaryView = look(r)
				io.WriteString(w, "ok")
			}
			inner := func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if !backends.IsShadow(r.Context()) {
						innerView = look(r)
					}
					next.ServeHTTP(w, r)
				})
			}
			var outerReq *http.Request
			router := chi.NewRouter()
			router.Use(func(next http.Handler) http.Handler { // a middleware before the shadower that keeps r
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					outerReq = r
					next.ServeHTTP(w, r)
				})
			})
			router.With(s.Handler, inner).Post("/orders/{id}", handler)

			req := httptest.NewRequest(http.MethodPost, "http://shop.example/orders/o1?page=2", strings.NewReader("q=shoes"))
			req.Header.Set("X-Tenant", "acme")
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Trailer = http.Header{"X-Sum": {"abc"}}
			router.ServeHTTP(httptest.NewRecorder(), req)
			<-scribbled
			rec.next(t)

			if primaryView != want {
				t.Errorf("the primary handler saw %+v, want %+v", primaryView, want)
			}
			innerWant := want
			innerWant.form = "" // the form is not parsed yet
			if innerView != innerWant {
				t.Errorf("a middleware between the shadower and the handler saw %+v, want %+v", innerView, innerWant)
			}
			after := look(outerReq)
			outerWant := want
			outerWant.form = "" // parsed on the primary's copy only
			if after != outerWant || outerReq.Header.Get("Content-Type") == "" {
				t.Errorf("after the shadow ran, the request a middleware before the shadower holds reads %+v, want %+v", after, outerWant)
			}
		})
	}
}
