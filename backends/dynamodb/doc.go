// Package dynamodb creates a traced AWS SDK DynamoDB client for the DynamoDB
// side of a migration, and classifies its errors.
//
// [New] builds the SDK client from an aws.Config it assembles itself, so
// programs need not depend on the SDK's config loader. For a local server
// such as dynalite or DynamoDB Local, [WithEndpoint] is all it takes: the
// region and credentials default to ones local servers accept. Against AWS,
// pass a loaded configuration with [WithConfig], or [WithRegion] and
// [WithStaticCredentials]:
//
//	ddb, err := dynamodb.New(ctx, dynamodb.WithEndpoint("http://127.0.0.1:8000"))
//	defer ddb.Close()
//
// A call is tried at most twice by default ([WithMaxAttempts]) and has a
// deadline, retries included ([WithCallTimeout]): a shadow read that waits
// out retries holds a slot of the shadow pool and says nothing more about
// correctness. Every call is one OpenTelemetry client span named after the
// service and operation ("DynamoDB.GetItem"). The returned [Client] embeds
// the SDK's client; its [Client.Close] closes the idle connections of the
// HTTP client New created.
//
// [IsThrottled] tells throttling from other failures, and [WithThrottle]
// notes every throttled attempt on a [backends.Throttle], which the
// middleware reads to send fewer shadow reads. [MapError] wraps a failed
// call's error, and [MapGetItem] also turns a GetItem that found nothing
// into [backends.ErrNotFound].
//
// The guide [docs/operations.md] lists the spans' attributes and says how
// throttling and deadlines keep shadows from hurting users.
//
// [docs/operations.md]: https://github.com/shadowread/shadowread/blob/main/docs/operations.md
package dynamodb
