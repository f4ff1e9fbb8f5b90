package middleware

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/telemetry"
)

// Bounds of the requests kept for re-verification.
const (
	// DefaultReverifySample is how many requests are kept per open
	// mismatch signature unless [WithReverifySample] says otherwise.
	DefaultReverifySample = 3
	// MaxReverifySignatures is the most signatures with kept requests; a
	// new one lets go of the one seen least recently.
	MaxReverifySignatures = 128
	// MaxReverifyBody is the largest request body kept; a request with a
	// larger one is not kept.
	MaxReverifyBody = 16 << 10
)

// ErrNotRecorded is returned by [Shadower.Reverify] when no request is kept
// for the route and signature: none mismatched with it, it was let go to
// make room, or an earlier re-verification found it fixed.
var ErrNotRecorded = errors.New("middleware: no request kept for this route and signature")

// ErrClosed is returned by [Shadower.Reverify] once Close has been called.
var ErrClosed = errors.New("middleware: the shadower is closed")

// WithReverifySample sets how many requests are kept per open mismatch
// signature for [Shadower.Reverify] (default [DefaultReverifySample]; 0
// keeps none). A kept request is the one the handler saw, minus its
// credentials: the headers Authorization, Proxy-Authorization, Cookie and
// every header, query parameter or form field (in a form parsed before the
// shadower ran, or in a form body) whose name says token, secret,
// password, key, session, auth, credential or signature; a parsed
// multipart form is not kept. Bodies are kept up to [MaxReverifyBody]. Kept requests stay in the process: nothing exports
// them, and [Shadower.ReverifyHandler] answers with outcomes and diff
// paths only. It panics if n < 0.
func WithReverifySample(n int) Option {
	if n < 0 {
		panic(fmt.Sprintf("middleware: WithReverifySample(%d): the sample size must not be negative; 0 keeps no request", n))
	}
	return optionFunc(func(c *config) { c.reverifySample = n })
}

// ReverifyReport is what re-running the kept requests of one mismatch
// signature found.
type ReverifyReport struct {
	Route     string `json:"route"`
	Signature string `json:"signature"`
	// Requests counts the requests re-run; Matches, Mismatches and Failed
	// (could not be compared, see [ReverifyResult]) add up to it.
	Requests   int `json:"requests"`
	Matches    int `json:"matches"`
	Mismatches int `json:"mismatches"`
	Failed     int `json:"failed"`
	// Fixed reports that every request now matches; the kept requests are
	// let go, and the signature is no longer open.
	Fixed   bool             `json:"fixed"`
	Results []ReverifyResult `json:"results"`
}

// ReverifyResult is the result of re-running one kept request on both
// sides.
type ReverifyResult struct {
	// Outcome is Match, Mismatch or Skipped (when the pair could not be
	// compared; Err says why).
	Outcome telemetry.Outcome `json:"outcome"`
	// Signature is the mismatch's signature now; a changed one means the
	// fix changed what differs.
	Signature string `json:"signature,omitempty"`
	// Diffs are the differences, redacted as the comparator redacts them.
	Diffs []comparator.Diff `json:"-"`
	Err   error             `json:"-"`
}

// OpenSignature names a mismatch signature with kept requests.
type OpenSignature struct {
	Route     string `json:"route"`
	Signature string `json:"signature"`
	Requests  int    `json:"requests"`
}

// OpenSignatures lists the mismatch signatures with kept requests, by
// route and signature.
func (s *Shadower) OpenSignatures() []OpenSignature {
	k := s.kept
	if k == nil {
		return nil
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make([]OpenSignature, 0, len(k.sets))
	for key, set := range k.sets {
		out = append(out, OpenSignature{Route: key.route, Signature: key.signature, Requests: len(set.reqs)})
	}
	slices.SortFunc(out, func(a, b OpenSignature) int {
		return strings.Compare(a.Route+"\x00"+a.Signature, b.Route+"\x00"+b.Signature)
	})
	return out
}

// keptRequests holds the requests behind open mismatch signatures.
type keptRequests struct {
	perSignature int
	mu           sync.Mutex
	seq          uint64
	sets         map[signatureKey]*keptSet
}

type signatureKey struct{ route, signature string }

type keptSet struct {
	lastSeen uint64
	reqs     []keptRequest
}

// keptRequest is one request to re-run, with what is needed to run it the
// way it first ran.
type keptRequest struct {
	req                           *http.Request // redacted; never served
	method                        string
	primary, shadow               backends.Name
	primaryHandler, shadowHandler http.Handler
	// status is what the primary answered: a re-run that answers another
	// (say 401, for want of a credential left out) proves nothing.
	status int
}

func newKeptRequests(perSignature int) *keptRequests {
	if perSignature <= 0 {
		return nil
	}
	return &keptRequests{perSignature: perSignature, sets: map[signatureKey]*keptSet{}}
}

// keep keeps a redacted copy of template behind ev's signature when ev is
// a mismatch.
func (k *keptRequests) keep(j *shadowJob, ev telemetry.Event, template *http.Request, primaryStatus int) {
	if k == nil || template == nil || ev.Outcome != telemetry.Mismatch || ev.NoiseBaseline ||
		template.ContentLength > MaxReverifyBody {
		return
	}
	sig := ev.Result.Signature()
	if sig == "" {
		return
	}
	kr := keptRequest{
		req: redactedRequest(template), method: template.Method,
		primary: ev.Primary, shadow: ev.Shadow,
		primaryHandler: j.primaryHandler, shadowHandler: j.handler,
		status: primaryStatus,
	}
	key := signatureKey{ev.Route, sig}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.seq++
	set := k.sets[key]
	if set == nil {
		if len(k.sets) >= MaxReverifySignatures {
			k.evictOldest()
		}
		set = &keptSet{}
		k.sets[key] = set
	}
	set.lastSeen = k.seq
	if len(set.reqs) >= k.perSignature {
		set.reqs = slices.Delete(set.reqs, 0, 1) // the newest requests tell most
	}
	set.reqs = append(set.reqs, kr)
}

func (k *keptRequests) evictOldest() {
	var oldest signatureKey
	first := true
	for key, set := range k.sets {
		if first || set.lastSeen < k.sets[oldest].lastSeen {
			oldest, first = key, false
		}
	}
	delete(k.sets, oldest)
}

// take returns a copy of the requests kept behind key.
func (k *keptRequests) take(key signatureKey) []keptRequest {
	if k == nil {
		return nil
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if set := k.sets[key]; set != nil {
		return slices.Clone(set.reqs)
	}
	return nil
}

// forget lets go of the requests kept behind key.
func (k *keptRequests) forget(key signatureKey) {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.sets, key)
}

// isCredentialName reports whether a header or query parameter name says
// its value is a credential.
func isCredentialName(name string) bool {
	name = strings.ToLower(name)
	for _, w := range [...]string{"token", "secret", "password", "passwd", "key", "session", "auth", "credential", "signature", "cookie"} {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}

// redactedRequest returns a copy of r without its credentials: not in its
// header, its query, the forms an outer middleware may have parsed before
// the shadower ran (an auth middleware reading access_token), nor its
// body. The multipart form goes whole: its files are removed with the
// request, and a handler that parses it again reads the redacted body.
func redactedRequest(r *http.Request) *http.Request {
	c := r.Clone(r.Context())
	dropCredentials(url.Values(c.Header))
	dropCredentials(url.Values(c.Trailer))
	if c.URL.RawQuery != "" {
		q := c.URL.Query()
		dropCredentials(q)
		c.URL.RawQuery = q.Encode()
	}
	dropCredentials(c.Form)
	dropCredentials(c.PostForm)
	c.MultipartForm = nil
	redactBody(c)
	c.RequestURI = ""
	c.URL.User = nil
	return c
}

// dropCredentials deletes the values of v (a form or a header) whose names
// say credential.
func dropCredentials(v url.Values) {
	for name := range v {
		if isCredentialName(name) {
			delete(v, name)
		}
	}
}

// Reverify re-runs the requests kept behind a mismatch signature of route
// against both stores, now, and says whether they still differ: after a
// data repair or a new comparator rule, the fix is confirmed in seconds
// instead of waiting for traffic. Each request runs as a re-check does
// (both handlers, routed as when it mismatched, [IsRecheck] true), one
// after the other, each holding a shadow slot (waiting for one within ctx)
// and within the shadow's timeout. When every request matches, the report
// says Fixed and the kept requests are let go.
//
// It returns [ErrNotRecorded] when no request is kept for the pair,
// [ErrClosed] after Close, and ctx.Err() if ctx ends first.
func (s *Shadower) Reverify(ctx context.Context, route, signature string) (ReverifyReport, error) {
	report := ReverifyReport{Route: route, Signature: signature}
	key := signatureKey{route, signature}
	reqs := s.kept.take(key)
	if len(reqs) == 0 {
		return report, ErrNotRecorded
	}
	for _, kr := range reqs {
		if s.closed.Load() {
			return report, ErrClosed
		}
		if err := s.slots.acquire(ctx); err != nil {
			return report, err
		}
		res := s.replay(ctx, route, kr)
		s.release()
		if err := ctx.Err(); err != nil {
			return report, err
		}
		report.Requests++
		switch res.Outcome {
		case telemetry.Match:
			report.Matches++
		case telemetry.Mismatch:
			report.Mismatches++
		default:
			report.Failed++
		}
		report.Results = append(report.Results, res)
	}
	if report.Matches == report.Requests {
		report.Fixed = true
		s.kept.forget(key)
	}
	return report, nil
}

// replay runs one kept request on both sides and compares the answers.
func (s *Shadower) replay(ctx context.Context, route string, kr keptRequest) ReverifyResult {
	runCtx, cancel := context.WithTimeout(context.WithValue(kr.req.Context(), recheckKey{}, true), s.cfg.timeout)
	defer cancel()
	stop := context.AfterFunc(ctx, cancel) // the caller may give up
	defer stop()
	j := &shadowJob{s: s, handler: kr.shadowHandler, primaryHandler: kr.primaryHandler}
	primary, ok := j.rerun(runCtx, kr.primaryHandler, rerunRequest(runCtx, kr.req, kr.primary, backends.RolePrimary))
	switch {
	case !ok:
		return ReverifyResult{Outcome: telemetry.Skipped, Err: errors.New("middleware: the primary failed or timed out")}
	case primary.Status != kr.status:
		return ReverifyResult{Outcome: telemetry.Skipped, Err: fmt.Errorf("middleware: the primary answered %d, not %d as when the mismatch was recorded; the request may need a credential that was not kept", primary.Status, kr.status)}
	}
	shadow, ok := j.rerun(runCtx, kr.shadowHandler, rerunRequest(runCtx, kr.req, kr.shadow, backends.RoleShadow))
	if !ok {
		return ReverifyResult{Outcome: telemetry.Skipped, Err: errors.New("middleware: the shadow failed or timed out")}
	}
	ev := telemetry.Event{Route: route, Method: kr.method, Primary: kr.primary, Shadow: kr.shadow}
	j.compare(&ev, primary, shadow)
	if ev.Outcome == telemetry.Mismatch {
		absorb(&ev, s.noise.evidence(route, nil))
	}
	res := ReverifyResult{Outcome: ev.Outcome, Diffs: ev.Result.Diffs, Err: ev.Err}
	if ev.Outcome == telemetry.Mismatch {
		res.Signature = ev.Result.Signature()
	}
	return res
}
