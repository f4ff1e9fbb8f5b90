package dynamodb

import (
	"context"
	"time"

	"github.com/aws/smithy-go/middleware"
)

// deadlineID names the deadline step in the SDK's middleware stack.
const deadlineID = "shadowread.Deadline"

// callDeadline bounds a whole call, retries and back-offs included, from
// the first step of the SDK's middleware stack: a server that stalls fails
// the call with context.DeadlineExceeded after d rather than hanging it.
type callDeadline time.Duration

func (d callDeadline) addTo(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc(deadlineID, d.handle), middleware.Before)
}

func (d callDeadline) handle(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (
	middleware.InitializeOutput, middleware.Metadata, error,
) {
	// The SDK reads the whole response before the call returns, so the
	// deadline can end with the call.
	ctx, cancel := context.WithTimeout(ctx, time.Duration(d))
	defer cancel()
	return next.HandleInitialize(ctx, in)
}
