package dynamodb

import (
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"go.opentelemetry.io/otel/trace"

	"github.com/shadowread/shadowread/backends"
)

// Option configures [New]. A nil Option is ignored, and a nil argument to an
// option means the default.
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// defaultMaxAttempts is one try and one retry: a shadow read that waits
// through several backoffs holds a slot of the shadow pool for nothing.
const defaultMaxAttempts = 2

type config struct {
	awsConfig      *aws.Config // nil: build one from the options alone
	endpoint       string
	region         string
	credentials    aws.CredentialsProvider
	httpClient     aws.HTTPClient
	tracerProvider trace.TracerProvider // nil: the global one, looked up at New
	maxAttempts    int
	throttle       *backends.Throttle // nil: throttling is not noted
	callTimeout    time.Duration      // 0: no deadline of the package's own
}

// DefaultCallTimeout bounds each call, retries included (see
// [WithCallTimeout]).
const DefaultCallTimeout = 2 * time.Second

func newConfig(opts []Option) config {
	c := config{maxAttempts: defaultMaxAttempts, callTimeout: DefaultCallTimeout}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	return c
}

// WithEndpoint sends requests to endpoint (an http:// or https:// URL) instead
// of the region's DynamoDB endpoint: for dynalite or DynamoDB Local. With an
// endpoint, the region defaults to us-east-1 and the credentials to dummy ones,
// which local servers accept.
func WithEndpoint(endpoint string) Option {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		panic(fmt.Sprintf("dynamodb: WithEndpoint(%q): want an http:// or https:// URL such as http://127.0.0.1:8000", endpoint))
	}
	return optionFunc(func(c *config) { c.endpoint = endpoint })
}

// WithRegion sets the AWS region, over the one of [WithConfig].
func WithRegion(region string) Option {
	if region == "" {
		panic("dynamodb: WithRegion(\"\"): name a region such as eu-west-1")
	}
	return optionFunc(func(c *config) { c.region = region })
}

// WithStaticCredentials signs requests with a fixed access key, over the
// credentials of [WithConfig].
func WithStaticCredentials(accessKeyID, secretAccessKey string) Option {
	if accessKeyID == "" || secretAccessKey == "" {
		panic("dynamodb: WithStaticCredentials needs a non-empty access key id and secret access key")
	}
	provider := newStaticCredentials(accessKeyID, secretAccessKey)
	return optionFunc(func(c *config) { c.credentials = provider })
}

// WithConfig starts from cfg, typically loaded by the AWS SDK's
// config.LoadDefaultConfig, for its region, credentials and HTTP client. The
// other options override what they set. This package does not load
// configuration itself, so programs that do not need the SDK's config
// loader do not depend on it.
func WithConfig(cfg aws.Config) Option {
	return optionFunc(func(c *config) {
		copied := cfg.Copy()
		c.awsConfig = &copied
	})
}

// WithHTTPClient sends requests through client, which the caller owns and
// closes: [Client.Close] leaves it alone. Nil (or a nil *http.Client), the
// default, means the HTTP client of [WithConfig] or else one of the
// package's own, which Close closes.
func WithHTTPClient(client aws.HTTPClient) Option {
	if hc, ok := client.(*http.Client); ok && hc == nil {
		client = nil
	}
	return optionFunc(func(c *config) { c.httpClient = client })
}

// WithTracerProvider sets where the spans of calls go. Nil, the default,
// means otel.GetTracerProvider() at the time of New.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return optionFunc(func(c *config) { c.tracerProvider = tp })
}

// WithMaxAttempts sets how often a call is tried in all, first try included;
// the default is 2. A shadow read should give up soon rather than retry for
// long; 1 turns retries off.
func WithMaxAttempts(n int) Option {
	if n < 1 {
		panic(fmt.Sprintf("dynamodb: WithMaxAttempts(%d): a call is tried at least once; use 1 for no retries", n))
	}
	return optionFunc(func(c *config) { c.maxAttempts = n })
}

// WithThrottle notes every throttled attempt of the client's calls (see
// [IsThrottled]) on throttle, so that the shadow-read middleware, given the
// same throttle with middleware.WithThrottleBackoff, sends fewer shadow reads
// while DynamoDB refuses requests for their rate. Calls of every kind count:
// throttled writes say as much about the table's capacity as reads. The
// throttle must watch backends.DynamoDB. Nil, the default, notes nothing.
func WithThrottle(throttle *backends.Throttle) Option {
	if throttle != nil && throttle.Store() != backends.DynamoDB {
		panic(fmt.Sprintf("dynamodb: WithThrottle got a throttle for %q; create it with backends.NewThrottle(backends.DynamoDB, time.Second)", throttle.Store()))
	}
	return optionFunc(func(c *config) { c.throttle = throttle })
}

// WithCallTimeout bounds each call, its retries and their back-offs
// included, to d (default [DefaultCallTimeout]), so that a DynamoDB that
// stalls fails the call with context.DeadlineExceeded instead of hanging
// it. A caller's own earlier deadline still wins. 0 sets no deadline of
// this package's own.
func WithCallTimeout(d time.Duration) Option {
	if d < 0 {
		panic(fmt.Sprintf("dynamodb: WithCallTimeout(%v): the timeout must be positive, such as time.Second, or 0 for none", d))
	}
	return optionFunc(func(c *config) { c.callTimeout = d })
}
