// Package dynamodb creates a traced AWS SDK DynamoDB client for the DynamoDB
// side of a migration, and classifies its errors.
//
// # Creating a client
//
// [New] builds the SDK client from an aws.Config it assembles itself, so
// programs need not depend on the SDK's config loader. For a local server
// such as dynalite or DynamoDB Local, [WithEndpoint] is all it takes: the
// region and credentials default to ones local servers accept. Against AWS,
// pass a loaded configuration with [WithConfig], or [WithRegion] and
// [WithStaticCredentials].
//
// A call is tried at most twice by default ([WithMaxAttempts]) with short
// backoffs: a shadow read that waits out retries holds a slot of the shadow
// pool and says nothing more about correctness. Each call, retries
// included, has a deadline of [DefaultCallTimeout] ([WithCallTimeout]), so a
// DynamoDB that stalls fails the call with context.DeadlineExceeded instead
// of hanging it.
//
// The returned [Client] embeds the SDK's client. Its [Client.Close] closes the
// idle connections of the HTTP client New created; without it their
// goroutines outlive the client.
//
// # Tracing
//
// Every call becomes one OpenTelemetry client span named after the service and
// operation ("DynamoDB.GetItem"), retries included, added to the SDK's
// middleware stack. Spans carry db.system=dynamodb, rpc.system=aws-api,
// rpc.service, rpc.method, db.operation.name, cloud.region, the request id,
// and aws.dynamodb.table_names for the item, query, batch and table calls. A
// failed call records the error and sets error.type to its AWS error code.
//
// # Errors
//
// [IsThrottled] tells throttling (the table, the account or the control plane
// over its rate) from other failures. [WithThrottle] notes every throttled
// attempt on a [backends.Throttle], which the shadow-read middleware reads to
// send fewer shadow reads while the table is short of capacity.
//
// [MapError] wraps a failed call's error with the package's prefix, and
// [MapGetItem] also turns a GetItem that found nothing into
// [backends.ErrNotFound], as postgres.MapError does for a query without rows.
package dynamodb
