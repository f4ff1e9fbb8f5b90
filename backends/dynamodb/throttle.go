package dynamodb

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"

	"github.com/shadowread/shadowread/backends"
)

// IsThrottled reports whether err, or an error it wraps, says that DynamoDB
// refused a request for its rate: ProvisionedThroughputExceededException (a
// table or index over its capacity), RequestLimitExceeded (the account over
// its throughput quota) or ThrottlingException (control-plane calls too
// fast). It sees through the SDK's wrapping (operation and retry errors).
// A shadow read that is throttled tells nothing about correctness: callers
// count it apart from other failures and back off.
func IsThrottled(err error) bool {
	if err == nil {
		return false
	}
	var (
		capacity *types.ProvisionedThroughputExceededException
		quota    *types.RequestLimitExceeded
		control  *types.ThrottlingException
	)
	if errors.As(err, &capacity) || errors.As(err, &quota) || errors.As(err, &control) {
		return true
	}
	// An error the SDK could not map to a type of its own, such as one from a
	// DynamoDB-compatible server, still has its code.
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		switch apiErr.ErrorCode() {
		case "ProvisionedThroughputExceededException", "RequestLimitExceeded", "ThrottlingException":
			return true
		}
	}
	return false
}

// throttleID names the step that notes throttled attempts.
const throttleID = "shadowread.NoteThrottle"

// throttleNoter notes each throttled attempt of a call on a Throttle. It
// runs after the SDK's retry step, so it sees every attempt, including those
// a retry then made good: they too say that the table is short of capacity.
type throttleNoter struct{ throttle *backends.Throttle }

func (n throttleNoter) addTo(stack *middleware.Stack) error {
	return stack.Finalize.Insert(middleware.FinalizeMiddlewareFunc(throttleID, n.handle), "Retry", middleware.After)
}

func (n throttleNoter) handle(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (
	middleware.FinalizeOutput, middleware.Metadata, error,
) {
	out, metadata, err := next.HandleFinalize(ctx, in)
	if IsThrottled(err) {
		n.throttle.Note()
	}
	return out, metadata, err
}
