package shop

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/shadowread/shadowread/backends"
)

// Route patterns, as the shadow middleware names the routes.
const (
	RouteProduct        = "/products/{id}"
	RouteOrder          = "/orders/{id}"
	RouteCustomerOrders = "/customers/{id}/orders"
)

// HeaderCustomerID names the customer a request is made for: the flags'
// targeting key, so sampling is sticky per customer.
const HeaderCustomerID = "X-Customer-Id"

// Order lists hold DefaultLimit orders unless ?limit= asks for 1 to MaxLimit.
const (
	DefaultLimit = 10
	MaxLimit     = 100
)

// NewRouter returns the read routes, each served from the store that the
// request's context routes to (PostgreSQL unless a middleware says
// otherwise). reads, when not nil, wraps every route, typically
// (*middleware.Shadower).Handler.
func NewRouter(pg, ddb Store, reads func(http.Handler) http.Handler) http.Handler {
	if pg == nil || ddb == nil {
		panic("shop: NewRouter needs both stores: shop.NewRouter(shop.NewPostgresStore(pool), shop.NewDynamoDBStore(client, table), nil)")
	}
	h := handlers{backends.NewRouter(map[backends.Name]Store{backends.Postgres: pg, backends.DynamoDB: ddb})}
	r := chi.NewRouter()
	r.Group(func(r chi.Router) {
		// In a group, the middleware runs once chi has matched the route
		// it names.
		if reads != nil {
			r.Use(reads)
		}
		r.Get(RouteProduct, h.product)
		r.Get(RouteOrder, h.order)
		r.Get(RouteCustomerOrders, h.customerOrders)
	})
	return r
}

type handlers struct{ stores *backends.Router[Store] }

func (h handlers) product(w http.ResponseWriter, r *http.Request) {
	if id, ok := idParam(w, r); ok {
		p, err := h.stores.For(r.Context()).Product(r.Context(), id)
		respond(w, r, p, err)
	}
}

func (h handlers) order(w http.ResponseWriter, r *http.Request) {
	if id, ok := idParam(w, r); ok {
		o, err := h.stores.For(r.Context()).Order(r.Context(), id)
		respond(w, r, o, err)
	}
}

func (h handlers) customerOrders(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(w, r)
	if !ok {
		return
	}
	limit := DefaultLimit
	if s := r.URL.Query().Get("limit"); s != "" {
		var err error
		if limit, err = strconv.Atoi(s); err != nil || limit < 1 || limit > MaxLimit {
			writeJSON(w, http.StatusBadRequest, errorBody("limit must be from 1 to "+strconv.Itoa(MaxLimit)))
			return
		}
	}
	orders, err := h.stores.For(r.Context()).CustomerOrders(r.Context(), id, limit)
	respond(w, r, OrderList{Orders: orders}, err)
}

func idParam(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id < 1 {
		writeJSON(w, http.StatusBadRequest, errorBody("id must be a positive integer"))
		return 0, false
	}
	return id, true
}

// respond answers v, or 404 or 503 for the error. The body of a 503 names
// the store, never the driver's text.
func respond(w http.ResponseWriter, r *http.Request, v any, err error) {
	switch {
	case errors.Is(err, backends.ErrNotFound):
		writeJSON(w, http.StatusNotFound, errorBody("not found"))
	case err != nil:
		writeJSON(w, http.StatusServiceUnavailable, errorBody(string(backends.Target(r.Context()))+" unavailable"))
	default:
		writeJSON(w, http.StatusOK, v)
	}
}

type errorBody string

func (e errorBody) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]string{"error": string(e)})
}

// writeJSON encodes before writing, so a failure is a clean 500.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"error":"encoding the response failed"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}
