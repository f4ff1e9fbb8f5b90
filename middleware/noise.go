package middleware

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/telemetry"
)

// Bounds and pace of noise learning.
const (
	// MaxNoiseFields is the most fields learned per route; further fields
	// are not learned until one is forgotten.
	MaxNoiseFields = 64
	// MaxNoiseRoutes is the most routes that learn noise; further routes
	// learn nothing.
	MaxNoiseRoutes = backends.DefaultMaxRoutes
	// noiseWeight is the weight of one A/A pair in a field's score, a
	// moving average of "differed in this pair": a field that differs in
	// every pair is noise after 3 pairs, and counts again after about 9
	// pairs in which it stopped differing.
	noiseWeight = 1.0 / 8
	// noiseThreshold is the score from which a field is noise.
	noiseThreshold = 0.3
	// noiseForget is the score under which a field is forgotten.
	noiseForget = 0.01
)

// WithNoiseBaseline learns which fields of a route are nondeterministic
// (generated-at stamps, request ids, ties in random order), as Twitter's
// Diffy does with two primaries, instead of needing an ignore rule for each.
// For percent (0 to 100) of the shadows, the primary handler also runs a
// second time in the background, as the shadow does (detached, in the
// shadow's slot, within its timeout, routed to the primary with
// [backends.IsShadow] true), and the two primary responses are compared.
// That comparison is recorded as its own event with
// [telemetry.Event.NoiseBaseline] set, which never counts towards readiness.
//
// A field (the diff's index-free [comparator.Diff.Field], `orders[].status`)
// that keeps differing between two reads of the same store is learned as
// noise of the route: from then on a primary-vs-shadow pair whose
// differences are all on learned noise is a [telemetry.Match], with the
// fields in [telemetry.Event.Noise]. In a mismatch, differences on learned
// noise are left out of the result and listed in Noise; the others still
// mismatch. Whole bodies compared as bytes (`$body`) and status codes are
// never noise.
//
// Learning is bounded ([MaxNoiseFields] per route, [MaxNoiseRoutes]) and
// decays: a field's score is a moving average over the route's A/A pairs,
// so a field that stops differing counts again after about nine pairs.
// [Shadower.Noise] lists what a route has learned. 0 turns the baseline off
// (the default); it panics outside 0 to 100.
func WithNoiseBaseline(percent float64) Option {
	if math.IsNaN(percent) || percent < 0 || percent > 100 {
		panic(fmt.Sprintf("middleware: WithNoiseBaseline(%v): the share is a percentage from 0 to 100, such as 5; 0 turns the baseline off", percent))
	}
	return optionFunc(func(c *config) { c.noisePercent = percent })
}

// noiseStore holds the noise learned per route.
type noiseStore struct {
	percent float64
	mu      sync.Mutex
	routes  map[string]map[string]float64 // route → field → score
}

func newNoiseStore(percent float64) *noiseStore {
	if percent <= 0 {
		return nil
	}
	return &noiseStore{percent: percent, routes: map[string]map[string]float64{}}
}

// Noise returns the fields learned as noise of route, sorted; none without
// [WithNoiseBaseline].
func (s *Shadower) Noise(route string) []string {
	n := s.noise
	if n == nil {
		return nil
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	var fields []string
	for f, score := range n.routes[route] {
		if score >= noiseThreshold {
			fields = append(fields, f)
		}
	}
	slices.Sort(fields)
	return fields
}

// noiseBaseline runs the primary a second time for a share of shadows,
// compares it with the primary's response, learns from the differences and
// records the A/A event. It runs in the shadow's goroutine and slot.
func (j *shadowJob) noiseBaseline(p primaryResult, template *http.Request) {
	n := j.s.noise
	if n == nil || template == nil || rand.Float64()*100 >= n.percent {
		return
	}
	s := j.s
	// Whatever breaks here, the shadow's own comparison goes on.
	defer func() {
		if p := recover(); p != nil {
			otel.Handle(fmt.Errorf("shadowread: noise baseline panicked: %v", p))
		}
	}()
	ev := j.ev
	ev.NoiseBaseline, ev.Shadow = true, ev.Primary
	ctx, cancel := context.WithTimeout(j.req.Context(), s.cfg.timeout)
	defer cancel()
	ctx = s.cfg.recorder.StartShadow(ctx, ev)
	start := time.Now()
	resp, overflow, err := runCaptured(j.primaryHandler, rerunRequest(ctx, template, ev.Primary, backends.RoleShadow), s.cfg.maxBodyBytes)
	ev.Start, ev.PrimaryDuration, ev.ShadowDuration = p.start, p.duration, time.Since(start)
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		ev.Outcome, ev.Err = telemetry.Timeout, fmt.Errorf("middleware: noise baseline outlived its %v timeout: %w", s.cfg.timeout, context.DeadlineExceeded)
	case err != nil:
		ev.Outcome, ev.Reason, ev.Err = telemetry.ShadowError, telemetry.ReasonPanic, err
	case resp.Status >= 500:
		ev.Outcome, ev.Reason, ev.Err = telemetry.ShadowError, telemetry.ReasonStatus5xx, fmt.Errorf("middleware: noise baseline answered %d", resp.Status)
	case overflow:
		ev.Outcome, ev.Reason = telemetry.Skipped, telemetry.ReasonBodyTooLarge
	default:
		j.compare(&ev, p.resp, resp)
		if ev.Outcome == telemetry.Match || ev.Outcome == telemetry.Mismatch {
			n.learn(ev.Route, ev.Result.Diffs)
		}
	}
	s.recordSafely(ctx, ev)
}

// learn updates route's scores with one A/A pair's differences.
func (n *noiseStore) learn(route string, diffs []comparator.Diff) {
	differed := make(map[string]bool, len(diffs))
	for _, d := range diffs {
		if f := fieldOf(d); learnable(f) {
			differed[f] = true
		}
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	scores := n.routes[route]
	if scores == nil {
		if len(differed) == 0 || len(n.routes) >= MaxNoiseRoutes {
			return
		}
		scores = map[string]float64{}
		n.routes[route] = scores
	}
	for f, score := range scores {
		if differed[f] {
			score += (1 - score) * noiseWeight
		} else {
			score -= score * noiseWeight
		}
		if score < noiseForget {
			delete(scores, f)
			continue
		}
		scores[f] = score
	}
	for f := range differed {
		if _, known := scores[f]; !known && len(scores) < MaxNoiseFields {
			scores[f] = noiseWeight
		}
	}
}

// absorb takes the differences on learned noise of ev's route out of ev, a
// mismatch, lists them in ev.Noise, and makes ev a match when nothing else
// differed.
func (n *noiseStore) absorb(ev *telemetry.Event) {
	if n == nil || len(ev.Result.Diffs) == 0 {
		return
	}
	var kept []comparator.Diff
	var noise []string
	n.mu.Lock()
	scores := n.routes[ev.Route]
	for _, d := range ev.Result.Diffs {
		if f := fieldOf(d); scores[f] >= noiseThreshold && learnable(f) {
			if !slices.Contains(noise, f) {
				noise = append(noise, f)
			}
			continue
		}
		kept = append(kept, d)
	}
	n.mu.Unlock()
	if len(noise) == 0 {
		return
	}
	slices.Sort(noise)
	ev.Noise = noise
	ev.Result.Diffs = kept
	if len(kept) == 0 && !ev.Result.Truncated {
		ev.Outcome, ev.Result.Equal = telemetry.Match, true
	}
}

// learnable reports whether field may be learned as noise: not a whole body
// compared as bytes, nor the status code.
func learnable(field string) bool {
	return field != "$body" && field != "$status"
}

// fieldOf returns the index-free field of d: its Field, or else its Path
// with element indexes taken out (`orders[3].status` → `orders[].status`).
func fieldOf(d comparator.Diff) string {
	if d.Field != "" {
		return d.Field
	}
	path := d.Path
	if !strings.Contains(path, "[") {
		return path
	}
	var b strings.Builder
	for i := 0; i < len(path); {
		switch {
		case strings.HasPrefix(path[i:], `["`):
			// A quoted name: copied whole, brackets inside included.
			end := i + 2
			for end < len(path) && path[end] != '"' {
				if path[end] == '\\' {
					end++
				}
				end++
			}
			end = min(end+2, len(path))
			b.WriteString(path[i:end])
			i = end
		case path[i] == '[':
			end := i + 1
			for end < len(path) && path[end] >= '0' && path[end] <= '9' {
				end++
			}
			if end > i+1 && end < len(path) && path[end] == ']' {
				b.WriteString("[]")
				i = end + 1
				continue
			}
			b.WriteByte('[')
			i++
		default:
			b.WriteByte(path[i])
			i++
		}
	}
	return b.String()
}
