package flags

import (
	"context"
	"sync"
	"time"

	"github.com/open-feature/go-sdk/openfeature"
	"github.com/open-feature/go-sdk/openfeature/memprovider"
)

// failingProvider answers every evaluation with a general error.
type failingProvider struct{}

var errDetail = openfeature.ProviderResolutionDetail{
	ResolutionError: openfeature.NewGeneralResolutionError("backend unreachable"),
	Reason:          openfeature.ErrorReason,
}

func (failingProvider) Metadata() openfeature.Metadata { return openfeature.Metadata{Name: "failing"} }
func (failingProvider) Hooks() []openfeature.Hook      { return nil }
func (failingProvider) BooleanEvaluation(_ context.Context, _ string, def bool, _ openfeature.FlattenedContext) openfeature.BoolResolutionDetail {
	return openfeature.BoolResolutionDetail{Value: def, ProviderResolutionDetail: errDetail}
}
func (failingProvider) StringEvaluation(_ context.Context, _ string, def string, _ openfeature.FlattenedContext) openfeature.StringResolutionDetail {
	return openfeature.StringResolutionDetail{Value: def, ProviderResolutionDetail: errDetail}
}
func (failingProvider) FloatEvaluation(_ context.Context, _ string, def float64, _ openfeature.FlattenedContext) openfeature.FloatResolutionDetail {
	return openfeature.FloatResolutionDetail{Value: def, ProviderResolutionDetail: errDetail}
}
func (failingProvider) IntEvaluation(_ context.Context, _ string, def int64, _ openfeature.FlattenedContext) openfeature.IntResolutionDetail {
	return openfeature.IntResolutionDetail{Value: def, ProviderResolutionDetail: errDetail}
}
func (failingProvider) ObjectEvaluation(_ context.Context, _ string, def any, _ openfeature.FlattenedContext) openfeature.InterfaceResolutionDetail {
	return openfeature.InterfaceResolutionDetail{Value: def, ProviderResolutionDetail: errDetail}
}

// panickingProvider panics in every evaluation.
type panickingProvider struct{ failingProvider }

func (panickingProvider) Metadata() openfeature.Metadata {
	return openfeature.Metadata{Name: "panicking"}
}
func (panickingProvider) BooleanEvaluation(context.Context, string, bool, openfeature.FlattenedContext) openfeature.BoolResolutionDetail {
	panic("provider bug")
}
func (panickingProvider) StringEvaluation(context.Context, string, string, openfeature.FlattenedContext) openfeature.StringResolutionDetail {
	panic("provider bug")
}
func (panickingProvider) FloatEvaluation(context.Context, string, float64, openfeature.FlattenedContext) openfeature.FloatResolutionDetail {
	panic("provider bug")
}

// blockingProvider is an in-memory provider whose Init waits for unblock,
// so the SDK keeps it NOT_READY until then.
type blockingProvider struct {
	*memprovider.InMemoryProvider
	release chan struct{}
	once    sync.Once
}

func (p *blockingProvider) Init(openfeature.EvaluationContext) error {
	<-p.release
	return nil
}

func (p *blockingProvider) Shutdown() {}

func (p *blockingProvider) unblock() { p.once.Do(func() { close(p.release) }) }

// scriptedProvider serves the flags in values (key → value; an absent key is
// FLAG_NOT_FOUND), which the test changes while it runs. Each evaluation
// first waits delay, or with hang set until its context ends, as a remote
// provider that honours its context would. With fail set every evaluation
// fails. calls counts the evaluations of each flag key.
type scriptedProvider struct {
	mu     sync.Mutex
	values map[string]any
	delay  time.Duration
	hang   bool
	fail   bool
	calls  map[string]int
}

func newScriptedProvider(values map[string]any) *scriptedProvider {
	return &scriptedProvider{values: values, calls: make(map[string]int)}
}

// update changes the provider's behaviour under its lock.
func (p *scriptedProvider) update(change func(p *scriptedProvider)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	change(p)
}

// callsOf returns how many times flag has been evaluated.
func (p *scriptedProvider) callsOf(flag string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls[flag]
}

func (p *scriptedProvider) resolve(ctx context.Context, flag string) (any, openfeature.ProviderResolutionDetail) {
	p.mu.Lock()
	p.calls[flag]++
	value, found := p.values[flag]
	delay, hang, fail := p.delay, p.hang, p.fail
	p.mu.Unlock()

	var wait <-chan time.Time
	if delay > 0 {
		wait = time.After(delay)
	}
	if hang || wait != nil {
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, openfeature.ProviderResolutionDetail{
				ResolutionError: openfeature.NewGeneralResolutionError(ctx.Err().Error()),
				Reason:          openfeature.ErrorReason,
			}
		}
	}
	switch {
	case fail:
		return nil, errDetail
	case !found:
		return nil, openfeature.ProviderResolutionDetail{
			ResolutionError: openfeature.NewFlagNotFoundResolutionError(flag),
			Reason:          openfeature.ErrorReason,
		}
	}
	return value, openfeature.ProviderResolutionDetail{Reason: openfeature.StaticReason}
}

// typed converts a resolved value to T, or reports a type mismatch.
func typed[T any](value any, detail openfeature.ProviderResolutionDetail, def T) (T, openfeature.ProviderResolutionDetail) {
	if detail.Error() != nil {
		return def, detail
	}
	v, ok := value.(T)
	if !ok {
		return def, openfeature.ProviderResolutionDetail{
			ResolutionError: openfeature.NewTypeMismatchResolutionError("wrong type"),
			Reason:          openfeature.ErrorReason,
		}
	}
	return v, detail
}

func (p *scriptedProvider) Metadata() openfeature.Metadata {
	return openfeature.Metadata{Name: "scripted"}
}
func (p *scriptedProvider) Hooks() []openfeature.Hook { return nil }
func (p *scriptedProvider) BooleanEvaluation(ctx context.Context, flag string, def bool, _ openfeature.FlattenedContext) openfeature.BoolResolutionDetail {
	value, detail := p.resolve(ctx, flag)
	v, d := typed(value, detail, def)
	return openfeature.BoolResolutionDetail{Value: v, ProviderResolutionDetail: d}
}
func (p *scriptedProvider) StringEvaluation(ctx context.Context, flag string, def string, _ openfeature.FlattenedContext) openfeature.StringResolutionDetail {
	value, detail := p.resolve(ctx, flag)
	v, d := typed(value, detail, def)
	return openfeature.StringResolutionDetail{Value: v, ProviderResolutionDetail: d}
}
func (p *scriptedProvider) FloatEvaluation(ctx context.Context, flag string, def float64, _ openfeature.FlattenedContext) openfeature.FloatResolutionDetail {
	value, detail := p.resolve(ctx, flag)
	v, d := typed(value, detail, def)
	return openfeature.FloatResolutionDetail{Value: v, ProviderResolutionDetail: d}
}
func (p *scriptedProvider) IntEvaluation(ctx context.Context, flag string, def int64, _ openfeature.FlattenedContext) openfeature.IntResolutionDetail {
	value, detail := p.resolve(ctx, flag)
	v, d := typed(value, detail, def)
	return openfeature.IntResolutionDetail{Value: v, ProviderResolutionDetail: d}
}
func (p *scriptedProvider) ObjectEvaluation(ctx context.Context, flag string, def any, _ openfeature.FlattenedContext) openfeature.InterfaceResolutionDetail {
	value, detail := p.resolve(ctx, flag)
	v, d := typed(value, detail, def)
	return openfeature.InterfaceResolutionDetail{Value: v, ProviderResolutionDetail: d}
}

// shadowValues are the values of the usual flag set for a scriptedProvider.
func shadowValues(enabled bool, percent float64, primary string) map[string]any {
	return map[string]any{KeyEnabled: enabled, KeySamplePercent: percent, KeyPrimary: primary}
}
