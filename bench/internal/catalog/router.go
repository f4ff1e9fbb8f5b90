package catalog

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
)

// Route patterns of the service. The read routes are the ones the shadow
// middleware wraps; flag files target them by these names.
const (
	RouteProduct        = "/products/{productID}"
	RouteCustomerOrders = "/customers/{customerID}/orders"
	RouteOrder          = "/orders/{orderID}"
	RoutePrice          = "/products/{productID}/variants/{sku}/price"
)

// HeaderCustomerID names the customer a request is made for. Flags use it
// as the targeting key: sampling and the primary switch are sticky per
// customer.
const HeaderCustomerID = "X-Customer-Id"

// Page sizes of the order list (?limit=).
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// ScopeName is the instrumentation scope of the service's own metrics.
const ScopeName = "github.com/shadowread/shadowread/bench/internal/catalog"

// Option configures [NewRouter].
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	readTimeout time.Duration
	meter       metric.MeterProvider
	logger      *slog.Logger
}

// DefaultReadTimeout bounds a user's read of a store (see
// [WithReadTimeout]): well above a healthy read's tail on a loaded machine
// (a soak run saw a PostgreSQL read take 1.1 s), far below a client's
// patience.
const DefaultReadTimeout = 2 * time.Second

// WithReadTimeout bounds each user's read to d (default
// [DefaultReadTimeout]): a store that stalls answers the user with 503
// naming the store within d, never a hang. Shadow reads keep the shadow
// middleware's own timeout. 0 sets no bound of the handlers' own; the
// backends' per-call deadlines still hold.
func WithReadTimeout(d time.Duration) Option {
	if d < 0 {
		panic(fmt.Sprintf("catalog: WithReadTimeout(%v): the timeout must be positive, such as time.Second, or 0 for none", d))
	}
	return optionFunc(func(c *config) { c.readTimeout = d })
}

// WithMeterProvider sets where the service's own metrics go (default: the
// global meter provider).
func WithMeterProvider(mp metric.MeterProvider) Option {
	if mp == nil {
		panic("catalog: WithMeterProvider(nil): leave the option out for the global provider")
	}
	return optionFunc(func(c *config) { c.meter = mp })
}

// WithLogger sets the logger of request errors (default slog.Default()).
func WithLogger(l *slog.Logger) Option {
	if l == nil {
		panic("catalog: WithLogger(nil): pass slog.New(slog.DiscardHandler) for no logs")
	}
	return optionFunc(func(c *config) { c.logger = l })
}

// NewRouter returns the catalog's HTTP routes:
//
//	GET  /products/{productID}                       a product with its variants
//	GET  /customers/{customerID}/orders?cursor&limit  a customer's orders, newest first
//	GET  /orders/{orderID}                           an order
//
// The read handlers are written once: they read from the store that the
// request's context routes to (stores.Products.For(ctx)). shadow, when not
// nil, wraps each read route, typically (*middleware.Shadower).Handler; with
// nil the reads go to PostgreSQL alone. The write endpoints are never
// shadowed.
func NewRouter(stores Stores, shadow func(http.Handler) http.Handler, opts ...Option) chi.Router {
	if stores.Products == nil || stores.Orders == nil {
		panic("catalog: NewRouter needs both store routers; build them with catalog.NewStores")
	}
	c := config{readTimeout: DefaultReadTimeout, logger: slog.Default(), meter: otel.GetMeterProvider()}
	for _, o := range opts {
		o.apply(&c)
	}
	h := newHandlers(stores, c)

	r := chi.NewRouter()
	reads := r.With()
	if shadow != nil {
		reads = r.With(shadow)
	}
	reads.Get(RouteProduct, h.getProduct)
	reads.Get(RouteCustomerOrders, h.listOrders)
	reads.Get(RouteOrder, h.getOrder)
	return r
}
