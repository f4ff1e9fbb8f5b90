package dynamodb

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"go.opentelemetry.io/otel"
)

const (
	// localRegion is the region for a local endpoint, which ignores it.
	localRegion = "us-east-1"
	// maxBackoff caps the pause before a retry, which the SDK otherwise lets
	// grow to 20 s.
	maxBackoff = 100 * time.Millisecond
)

// Client is a DynamoDB client whose calls are traced. It embeds the SDK's
// client, so every operation of the SDK is available on it.
type Client struct {
	*awsddb.Client

	// transport is the HTTP transport the client created and owns; nil when
	// the caller supplied the HTTP client.
	transport *http.Transport
}

// New creates a client. It needs a region and credentials: from [WithConfig],
// from [WithRegion] and [WithStaticCredentials], or, for a local server, from
// [WithEndpoint] alone. New retrieves the credentials once, so a broken
// credential chain fails here rather than on the first request. Close the
// client when done with it.
func New(ctx context.Context, opts ...Option) (*Client, error) {
	c := newConfig(opts)
	var cfg aws.Config
	if c.awsConfig != nil {
		cfg = *c.awsConfig
	}
	if c.region != "" {
		cfg.Region = c.region
	}
	if c.credentials != nil {
		cfg.Credentials = c.credentials
	}
	if c.endpoint != "" {
		if cfg.Region == "" {
			cfg.Region = localRegion
		}
		if cfg.Credentials == nil {
			cfg.Credentials = newStaticCredentials("local", "local")
		}
	}
	if cfg.Region == "" {
		return nil, errors.New("dynamodb: no region: use WithRegion, WithEndpoint for a local server, or WithConfig with a loaded aws.Config")
	}
	if cfg.Credentials == nil {
		return nil, errors.New("dynamodb: no credentials: use WithStaticCredentials, WithEndpoint for a local server, or WithConfig with a loaded aws.Config")
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return nil, fmt.Errorf("dynamodb: retrieve credentials: %w", err)
	}

	client := &Client{}
	if c.httpClient != nil {
		cfg.HTTPClient = c.httpClient
	}
	if cfg.HTTPClient == nil {
		client.transport, cfg.HTTPClient = newHTTPClient()
	}
	if cfg.Retryer == nil {
		cfg.Retryer = func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxBackoff = maxBackoff })
		}
	}

	tp := c.tracerProvider
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	tracing := newTracer(tp, cfg.Region)
	client.Client = awsddb.NewFromConfig(cfg, func(o *awsddb.Options) {
		if c.endpoint != "" {
			o.BaseEndpoint = aws.String(c.endpoint)
		}
		o.RetryMaxAttempts = c.maxAttempts
		o.APIOptions = append(o.APIOptions, tracing.addTo)
		if c.callTimeout > 0 {
			// Added at the front after the span, so it runs first and
			// the span ends with the deadline's error.
			o.APIOptions = append(o.APIOptions, callDeadline(c.callTimeout).addTo)
		}
		if c.throttle != nil {
			o.APIOptions = append(o.APIOptions, throttleNoter{c.throttle}.addTo)
		}
	})
	return client, nil
}

// newHTTPClient returns an HTTP client with the SDK's default transport
// settings on a transport of its own, which Close can reach: the SDK's
// default client keeps idle connections, and their goroutines, open.
func newHTTPClient() (*http.Transport, *http.Client) {
	transport := awshttp.NewBuildableClient().GetTransport()
	return transport, &http.Client{
		Transport: transport,
		// As the SDK's client: a redirect is returned to the SDK, not followed.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Close closes the idle connections of the HTTP client that New created.
// Calls in flight finish; the client stays usable and opens new connections
// if called again. An HTTP client given with WithHTTPClient or WithConfig
// belongs to the caller and is left alone.
func (c *Client) Close() {
	if c.transport != nil {
		c.transport.CloseIdleConnections()
	}
}
