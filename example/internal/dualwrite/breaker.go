package dualwrite

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/sony/gobreaker/v2"

	"github.com/shadowread/shadowread/backends"
)

// Circuit breaker defaults of the second store's writes.
const (
	// DefaultBreakerFailures is how many writes in a row must fail before
	// the breaker opens.
	DefaultBreakerFailures = 5
	// DefaultBreakerOpenFor is how long an open breaker lets no write
	// through before it tries one (half-open).
	DefaultBreakerOpenFor = time.Second
)

// errBreakerOpen is the error of a write the breaker did not let through.
var errBreakerOpen = errors.New("catalog: circuit breaker open: the store is failing, the write waits in the repair log")

// Breaker states as the gauge catalog.breaker.state reports them.
const (
	breakerClosed   = 0
	breakerHalfOpen = 1
	breakerOpen     = 2
)

// storeBreaker guards the writes to one store that a dual write makes
// second. After failures writes in a row fail it opens: the writes that
// follow are not attempted, they wait in the repair log, so a store that
// stalls costs the user nothing. After openFor one write goes through as a
// probe (half-open); its success closes the breaker, its failure opens it
// again.
type storeBreaker struct {
	store backends.Name
	cb    *gobreaker.CircuitBreaker[struct{}]
}

func newStoreBreaker(store backends.Name, failures int, openFor time.Duration, log *slog.Logger) *storeBreaker {
	return &storeBreaker{store: store, cb: gobreaker.NewCircuitBreaker[struct{}](gobreaker.Settings{
		Name:        string(store),
		MaxRequests: 1,
		Timeout:     openFor,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= uint32(failures) },
		OnStateChange: func(_ string, from, to gobreaker.State) {
			log.Warn("catalog: circuit breaker of the second store's writes changed state",
				"store", store, "from", from.String(), "to", to.String())
		},
	})}
}

// run calls put unless the breaker is open, and notes the outcome. It
// returns an error that is errBreakerOpen when it did not call put.
func (b *storeBreaker) run(ctx context.Context, put func(context.Context) error) error {
	_, err := b.cb.Execute(func() (struct{}, error) { return struct{}{}, put(ctx) })
	if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
		return fmt.Errorf("%w (%s)", errBreakerOpen, b.store)
	}
	return err
}

// state is the breaker's state as the gauge reports it.
func (b *storeBreaker) state() int64 {
	switch b.cb.State() {
	case gobreaker.StateOpen:
		return breakerOpen
	case gobreaker.StateHalfOpen:
		return breakerHalfOpen
	}
	return breakerClosed
}
