package flags

import (
	"context"
	"sync"

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
