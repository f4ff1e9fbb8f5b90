package telemetry

import "context"

// Recorder receives the events of sampled requests. The middleware calls it
// from shadow goroutines, so implementations must be safe for concurrent use
// and must not block for long: they run inside the shadow's slot.
type Recorder interface {
	// StartShadow is called just before a shadow runs. The context it returns
	// is the one the shadow handler receives (so store calls made by the
	// shadow become children of a shadow span) and later the one passed to
	// Record for the same event.
	StartShadow(ctx context.Context, e Event) context.Context
	// Record is called exactly once for every sampled request, with its
	// outcome, whether or not the shadow ran; a request picked for the noise
	// baseline adds one more call for its A/A pair, with NoiseBaseline set.
	Record(ctx context.Context, e Event)
}

// Nop is a Recorder that records nothing.
type Nop struct{}

// StartShadow returns ctx.
func (Nop) StartShadow(ctx context.Context, _ Event) context.Context { return ctx }

// Record does nothing.
func (Nop) Record(context.Context, Event) {}
