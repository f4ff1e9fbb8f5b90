package catalog

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"

	"github.com/shadowread/shadowread/backends"
)

// handlers are the read endpoints, written once for both stores.
type handlers struct {
	stores Stores
	guard  ReadGuard
	log    *slog.Logger
	// timeout bounds a user's read (0: none); a shadow read keeps the
	// middleware's own timeout.
	timeout time.Duration
	// behind, if set, marks shadow reads of entities waiting in a repair log.
	behind *behindCheck
	// views counts product page views: the side effect a shadow run must
	// not repeat.
	views metric.Int64Counter
}

func newHandlers(stores Stores, c config) *handlers {
	views, err := c.meter.Meter(ScopeName).Int64Counter("catalog.product.views",
		metric.WithUnit("{view}"),
		metric.WithDescription("Product pages served to customers; shadow reads are not views."))
	if err != nil {
		otel.Handle(err)
	}
	return &handlers{stores: stores, guard: c.guard, log: c.logger, timeout: c.readTimeout, behind: c.behind, views: views}
}

// bound gives a user's read its deadline, so that a store that stalls
// answers the user with 503 rather than a hang. A shadow read is left to
// the middleware's timeout: it may wait longer, since no user waits for it.
func (h *handlers) bound(r *http.Request) (context.Context, context.CancelFunc) {
	ctx := r.Context()
	if h.timeout <= 0 || backends.IsShadow(ctx) {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, h.timeout)
}

// refused answers 503 when the read guard refuses the store the request
// is routed to, and reports whether it did.
func (h *handlers) refused(w http.ResponseWriter, r *http.Request) bool {
	if h.guard == nil {
		return false
	}
	ctx := r.Context()
	err := h.guard(ctx, backends.Target(ctx))
	if err == nil {
		return false
	}
	if !backends.IsShadow(ctx) {
		h.log.ErrorContext(ctx, "catalog: read refused", "route", chi.RouteContext(ctx).RoutePattern(), "err", err)
	}
	WriteError(w, http.StatusServiceUnavailable, err.Error())
	return true
}

func (h *handlers) getProduct(w http.ResponseWriter, r *http.Request) {
	if h.refused(w, r) {
		return
	}
	id, ok := IDParam(w, r, "productID")
	if !ok {
		return
	}
	ctx, cancel := h.bound(r)
	defer cancel()
	var p Product
	var err error
	h.behind.entity(ctx, EntityProduct, id, func() { p, err = h.stores.Products.For(ctx).Product(ctx, id) })
	if err == nil && !backends.IsShadow(ctx) && h.views != nil {
		h.views.Add(ctx, 1)
	}
	h.respond(w, r, p, err)
}

func (h *handlers) getOrder(w http.ResponseWriter, r *http.Request) {
	if h.refused(w, r) {
		return
	}
	id, ok := IDParam(w, r, "orderID")
	if !ok {
		return
	}
	ctx, cancel := h.bound(r)
	defer cancel()
	var o Order
	var err error
	h.behind.entity(ctx, EntityOrder, id, func() { o, err = h.stores.Orders.For(ctx).Order(ctx, id) })
	h.respond(w, r, o, err)
}

func (h *handlers) listOrders(w http.ResponseWriter, r *http.Request) {
	if h.refused(w, r) {
		return
	}
	customerID, ok := IDParam(w, r, "customerID")
	if !ok {
		return
	}
	q := r.URL.Query()
	cursor, err := DecodeCursor(q.Get("cursor"))
	if err != nil {
		WriteError(w, http.StatusBadRequest, "malformed cursor")
		return
	}
	limit := DefaultPageSize
	if s := q.Get("limit"); s != "" {
		if limit, err = strconv.Atoi(s); err != nil || limit < 1 || limit > MaxPageSize {
			WriteError(w, http.StatusBadRequest, "limit must be between 1 and "+strconv.Itoa(MaxPageSize))
			return
		}
	}
	ctx, cancel := h.bound(r)
	defer cancel()
	// One more than the page tells whether there is a next page.
	var orders []Order
	h.behind.customerOrders(ctx, customerID, func() { orders, err = h.stores.Orders.For(ctx).CustomerOrders(ctx, customerID, cursor, limit+1) })
	page := OrderPage{Orders: orders, RequestID: newRequestID()}
	if len(orders) > limit {
		page.Orders = orders[:limit]
		page.NextCursor = CursorAfter(orders[limit-1]).Encode()
	}
	h.respond(w, r, page, err)
}

// respond writes v as JSON, or the error as the status it stands for.
func (h *handlers) respond(w http.ResponseWriter, r *http.Request, v any, err error) {
	switch {
	case errors.Is(err, backends.ErrNotFound):
		WriteError(w, http.StatusNotFound, "not found")
	case err != nil:
		// A client that went away is not the store's failure; the shadow's
		// failures are the middleware's to count.
		if !backends.IsShadow(r.Context()) && !errors.Is(err, context.Canceled) {
			h.log.ErrorContext(r.Context(), "catalog: read failed", "route", chi.RouteContext(r.Context()).RoutePattern(),
				"backend", backends.Target(r.Context()), "err", err)
		}
		WriteError(w, http.StatusServiceUnavailable, Unavailable(backends.Target(r.Context()), err))
	default:
		WriteJSON(w, http.StatusOK, v)
	}
}

// Unavailable is the message of a 503: it names the store, and says when
// the store did not answer in time.
func Unavailable(store backends.Name, err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return string(store) + " did not answer in time"
	}
	return string(store) + " unavailable"
}

// IDParam parses a positive integer URL parameter, answering 400 if it is not.
func IDParam(w http.ResponseWriter, r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(chi.URLParam(r, name), 10, 64)
	if err != nil || id <= 0 {
		WriteError(w, http.StatusBadRequest, name+" must be a positive integer")
		return 0, false
	}
	return id, true
}

// WriteJSON encodes v into a buffer first, so an encoding failure is a
// clean 500 and a response is never half written.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		WriteError(w, http.StatusInternalServerError, "encoding the response failed")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// WriteError answers status with the message as JSON.
func WriteError(w http.ResponseWriter, status int, msg string) {
	body, _ := json.Marshal(map[string]string{"error": msg})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// newRequestID returns a random id for one response.
func newRequestID() string {
	return fmt.Sprintf("%016x", rand.Uint64())
}
