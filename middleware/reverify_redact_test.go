package middleware_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/go-chi/chi/v5"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/middleware"
)

// credentialLeaks lists where r carries a credential of the test's
// requests (access_token, session_id or a SECRET value): in its URL query,
// Form, PostForm, MultipartForm or header.
func credentialLeaks(r *http.Request) []string {
	var leaks []string
	inValues := func(where string, v url.Values) {
		for name, vv := range v {
			if name == "access_token" || name == "session_id" || strings.Contains(strings.Join(vv, ","), "SECRET") {
				leaks = append(leaks, where+"."+name)
			}
		}
	}
	inValues("query", r.URL.Query())
	inValues("Form", r.Form)
	inValues("PostForm", r.PostForm)
	if r.MultipartForm != nil {
		inValues("MultipartForm", r.MultipartForm.Value)
	}
	for name, vv := range r.Header {
		if strings.Contains(strings.Join(vv, ","), "SECRET") {
			leaks = append(leaks, "header."+name)
		}
	}
	return leaks
}

// multipartBody returns a multipart form of fields and its content type.
func multipartBody(t *testing.T, fields ...string) (string, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for i := 0; i < len(fields); i += 2 {
		if err := mw.WriteField(fields[i], fields[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String(), mw.FormDataContentType()
}

// TestKeptRequestsHoldNoCredentials: a request kept for re-verification
// carries no credential however it came: in the query, in a form an outer
// auth middleware parsed before the shadower ran, or in a form body the
// handler parses itself. The rest of the form is replayed as it was.
func TestKeptRequestsHoldNoCredentials(t *testing.T) {
	const urlEncoded = "application/x-www-form-urlencoded"
	body, multipartType := multipartBody(t, "access_token", "SECRET-TOKEN", "page", "2", "session_id", "SECRET-SESSION")
	tests := []struct {
		name        string
		reason      string
		method      string
		target      string
		contentType string
		body        string
		outerParses bool
	}{
		{"query parsed outside", "an auth middleware read the query through ParseForm, filling Form",
			http.MethodGet, "/products/p1?access_token=SECRET-TOKEN&session_id=SECRET-SESSION&page=2", "", "", true},
		{"form body parsed outside", "an auth middleware read a form body, filling PostForm; the body is gone",
			http.MethodPost, "/products/p1", urlEncoded, "access_token=SECRET-TOKEN&page=2&session_id=SECRET-SESSION", true},
		{"form body parsed by the handler", "the body is kept, and parsed again on each re-run",
			http.MethodPost, "/products/p1", urlEncoded, "access_token=SECRET-TOKEN&page=2&session_id=SECRET-SESSION", false},
		{"multipart parsed outside", "an auth middleware parsed a multipart form, filling MultipartForm",
			http.MethodPost, "/products/p1", multipartType, body, true},
		{"multipart parsed by the handler", "the multipart body is kept without the credential parts",
			http.MethodPost, "/products/p1", multipartType, body, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var (
					mu    sync.Mutex
					leaks []string
					pages []string
					runs  int
				)
				handler := func(w http.ResponseWriter, r *http.Request) {
					arrived := credentialLeaks(r)
					r.ParseMultipartForm(1 << 20) // ParseForm too, for a body that is not multipart
					io.Copy(io.Discard, r.Body)   // to its end, which the auth middleware may have reached
					if middleware.IsRecheck(r.Context()) {
						mu.Lock()
						runs++
						leaks = append(leaks, arrived...)
						leaks = append(leaks, credentialLeaks(r)...)
						pages = append(pages, r.FormValue("page"))
						mu.Unlock()
					}
					price := "12.5"
					if backends.Target(r.Context()) == backends.DynamoDB {
						price = "13.5" // the drift the re-verification looks at
					}
					w.Header().Set("Content-Type", "application/json")
					fmt.Fprintf(w, `{"id":%q,"price":%s}`, chi.URLParam(r, "id"), price)
				}
				s := newShadower(t, newTally(),
					middleware.WithComparator(comparator.JSON()),
					middleware.WithMethods(http.MethodGet, http.MethodPost),
					middleware.WithRecheck(0))
				r := chi.NewRouter()
				r.Use(func(next http.Handler) http.Handler { // the auth middleware
					return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						if tt.outerParses {
							r.ParseMultipartForm(1 << 20)
							if r.FormValue("access_token") != "SECRET-TOKEN" {
								t.Errorf("the auth middleware found no token")
							}
						}
						next.ServeHTTP(w, r)
					})
				})
				r.With(s.Handler).Method(tt.method, "/products/{id}", http.HandlerFunc(handler))
				req := httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body))
				if tt.contentType != "" {
					req.Header.Set("Content-Type", tt.contentType)
				}
				r.ServeHTTP(httptest.NewRecorder(), req)
				synctest.Wait()

				open := s.OpenSignatures()
				if len(open) != 1 {
					t.Fatalf("open signatures %+v, want the price's", open)
				}
				report, err := s.Reverify(context.Background(), open[0].Route, open[0].Signature)
				if err != nil {
					t.Fatal(err)
				}
				if report.Requests != 1 || report.Mismatches != 1 {
					t.Errorf("report %+v, want the kept request replayed and still mismatching", report)
				}
				mu.Lock()
				defer mu.Unlock()
				if runs != 2 {
					t.Fatalf("%d re-runs, want both sides of the kept request", runs)
				}
				if len(leaks) > 0 {
					t.Errorf("the replayed request carried credentials in %v (%s)", leaks, tt.reason)
				}
				for _, page := range pages {
					if page != "2" {
						t.Errorf("the replayed request has page %q, want 2: only credentials are left out (%s)", page, tt.reason)
					}
				}
			})
		})
	}
}
