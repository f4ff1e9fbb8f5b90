package flags

import (
	"context"
	"fmt"
	"time"

	"github.com/open-feature/go-sdk/openfeature"
)

// Flags never calls the provider on the request's goroutine: a provider may
// be slow or hang. Evaluations run in goroutines that Flags owns; a request
// waits for one at most the evaluation timeout.
const (
	// maxExactEvaluations bounds the evaluations running at once in exact
	// mode, so a hanging provider cannot pile up a goroutine per request.
	// While all are busy, requests get the last good decision at once.
	maxExactEvaluations = 64
	// evaluationBound cancels the context of an evaluation that runs this
	// long, so a provider that honours its context frees the route for the
	// next refresh.
	evaluationBound = 10 * time.Second
)

// spawn calls run in a goroutine that [Flags.Close] cancels and waits
// for. The context keeps parent's values but not its cancellation. spawn
// reports false, and runs nothing, once Flags is closed.
func (f *Flags) spawn(parent context.Context, run func(ctx context.Context)) bool {
	f.lifecycle.RLock()
	defer f.lifecycle.RUnlock()
	if f.closed.Load() {
		return false
	}
	f.running.Add(1)
	go func() {
		defer f.running.Done()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), evaluationBound)
		defer cancel()
		stop := context.AfterFunc(f.closing, cancel)
		defer stop()
		run(ctx)
	}()
	return true
}

// refreshInBackground starts an evaluation of e unless one is running or
// e's values are current. Requests never wait for it.
func (f *Flags) refreshInBackground(e *entry) {
	if !e.evaluating.CompareAndSwap(false, true) {
		return
	}
	// Another evaluation may have ended between the caller's load and the claim.
	if v := e.current.Load(); v != nil && v.generation == f.generation.Load() {
		e.evaluating.Store(false)
		return
	}
	started := f.spawn(context.Background(), func(ctx context.Context) {
		// Cached values are shared by every request of the route, so
		// nothing request-scoped (such as an OpenFeature transaction
		// context) may enter them: the context is a fresh one.
		v := f.evaluate(ctx, e.ec, e.key.route, e.key.method, f.generation.Load(), e.current.Load())
		// Free the entry before publishing, so a request that sees these
		// values can already start the next refresh.
		e.evaluating.Store(false)
		e.store(&v)
	})
	if !started {
		e.evaluating.Store(false)
	}
}

// firstValues returns e's values when none have been read yet: it starts the
// first evaluation and waits for it at most the evaluation timeout. Past it,
// the safe decision is stored so later requests of the route do not wait,
// and the evaluation goes on in the background.
func (f *Flags) firstValues(e *entry) *values {
	f.refreshInBackground(e)
	timer := time.NewTimer(f.cfg.timeout)
	defer timer.Stop()
	select {
	case <-e.ready:
	case <-timer.C:
		f.reportSlowProvider(e)
		e.current.CompareAndSwap(nil, &values{primary: f.cfg.fallback, generation: f.generation.Load()})
	}
	return e.current.Load()
}

// evaluateExact reads the flags with a request's own evaluation context and
// waits for the result at most the evaluation timeout. Past it, or while
// [maxExactEvaluations] evaluations are running, it returns the last good
// values of the route, e. Each result becomes e's last values.
func (f *Flags) evaluateExact(ctx context.Context, ec openfeature.EvaluationContext, e *entry) values {
	select {
	case f.exactSlots <- struct{}{}:
	default:
		f.reportSlowProvider(e)
		return f.lastValues(e)
	}
	result := make(chan values, 1)
	started := f.spawn(ctx, func(ctx context.Context) {
		defer func() { <-f.exactSlots }()
		v := f.evaluate(ctx, ec, e.key.route, e.key.method, f.generation.Load(), e.current.Load())
		e.store(&v)
		result <- v
	})
	if !started {
		<-f.exactSlots
		return f.lastValues(e)
	}
	timer := time.NewTimer(f.cfg.timeout)
	defer timer.Stop()
	select {
	case v := <-result:
		return v
	case <-timer.C:
		f.reportSlowProvider(e)
		return f.lastValues(e)
	}
}

// reportSlowProvider reports, once per Flags, that a request stopped
// waiting for the provider, so a timeout too short for a remote provider
// shows up.
func (f *Flags) reportSlowProvider(e *entry) {
	if f.slowReported.Load() || !f.slowReported.CompareAndSwap(false, true) {
		return
	}
	f.cfg.handleError(fmt.Errorf("flags: the provider did not answer within %v (route %q, method %q); requests get the last good decision, or the safe one, until it does (see WithEvaluationTimeout)",
		f.cfg.timeout, e.key.route, e.key.method))
}

// lastValues returns e's last values, or the safe ones before the first.
func (f *Flags) lastValues(e *entry) values {
	if v := e.current.Load(); v != nil {
		return *v
	}
	return values{primary: f.cfg.fallback}
}
