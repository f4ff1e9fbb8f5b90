package dynamodb

import (
	"context"
	"errors"
	"maps"
	"slices"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.28.0"
	"go.opentelemetry.io/otel/trace"
)

// ScopeName is the instrumentation scope of this package's spans.
const ScopeName = "github.com/shadowread/shadowread/backends/dynamodb"

// middlewareID names the tracing step in the SDK's middleware stack.
const middlewareID = "shadowread.Tracing"

// tracer makes one client span per call ("DynamoDB.GetItem"), retries
// included, from the first step of the SDK's middleware stack. Attributes
// follow the OpenTelemetry conventions for AWS SDK calls and DynamoDB
// (semconv 1.28).
type tracer struct {
	tracer trace.Tracer
	base   []attribute.KeyValue
}

func newTracer(tp trace.TracerProvider, region string) *tracer {
	return &tracer{
		tracer: tp.Tracer(ScopeName, trace.WithSchemaURL(semconv.SchemaURL)),
		base: []attribute.KeyValue{
			semconv.DBSystemDynamoDB,
			semconv.RPCSystemKey.String("aws-api"),
			semconv.CloudRegion(region),
		},
	}
}

// addTo is an APIOptions function: it puts the span around the whole stack.
func (t *tracer) addTo(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc(middlewareID, t.handle), middleware.Before)
}

func (t *tracer) handle(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (
	middleware.InitializeOutput, middleware.Metadata, error,
) {
	service, operation := middleware.GetServiceID(ctx), middleware.GetOperationName(ctx)
	attrs := make([]attribute.KeyValue, 0, len(t.base)+4)
	attrs = append(attrs, t.base...)
	attrs = append(attrs,
		semconv.RPCService(service),
		semconv.RPCMethod(operation),
		semconv.DBOperationName(operation))
	if tables := tableNames(in.Parameters); len(tables) > 0 {
		attrs = append(attrs, semconv.AWSDynamoDBTableNames(tables...))
	}
	ctx, span := t.tracer.Start(ctx, service+"."+operation,
		trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	defer span.End()

	out, metadata, err := next.HandleInitialize(ctx, in)
	if id, ok := awsmiddleware.GetRequestIDMetadata(metadata); ok {
		span.SetAttributes(semconv.AWSRequestID(id))
	}
	if err != nil {
		errorType := semconv.ErrorTypeOther
		var apiErr smithy.APIError
		if errors.As(err, &apiErr) {
			errorType = semconv.ErrorTypeKey.String(apiErr.ErrorCode())
		}
		span.SetAttributes(errorType)
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	return out, metadata, err
}

// tableNames returns the tables a call's input names, for the operations a
// read path and its tests use; nil for the others.
func tableNames(input any) []string {
	switch in := input.(type) {
	case *awsddb.GetItemInput:
		return one(in.TableName)
	case *awsddb.QueryInput:
		return one(in.TableName)
	case *awsddb.ScanInput:
		return one(in.TableName)
	case *awsddb.PutItemInput:
		return one(in.TableName)
	case *awsddb.UpdateItemInput:
		return one(in.TableName)
	case *awsddb.DeleteItemInput:
		return one(in.TableName)
	case *awsddb.CreateTableInput:
		return one(in.TableName)
	case *awsddb.DescribeTableInput:
		return one(in.TableName)
	case *awsddb.DeleteTableInput:
		return one(in.TableName)
	case *awsddb.BatchGetItemInput:
		return slices.Sorted(maps.Keys(in.RequestItems))
	case *awsddb.BatchWriteItemInput:
		return slices.Sorted(maps.Keys(in.RequestItems))
	}
	return nil
}

func one(name *string) []string {
	if name == nil {
		return nil
	}
	return []string{*name}
}
