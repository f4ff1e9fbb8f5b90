package dualwrite

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/shadowread/shadowread/example/internal/catalog"

	"github.com/go-chi/chi/v5"

	"github.com/shadowread/shadowread/backends"
)

// writeHandlers are the write endpoints. They are never shadowed: the
// dual write is how DynamoDB gets the change.
type writeHandlers struct {
	writer *Writer
	log    *slog.Logger
	modes  WriteModeSource
}

// maxWriteBody bounds a write request's body.
const maxWriteBody = 64 << 10

func (h *writeHandlers) placeOrder(w http.ResponseWriter, r *http.Request) {
	customerID, ok := catalog.IDParam(w, r, "customerID")
	if !ok {
		return
	}
	var body struct {
		Lines []LineItem `json:"lines"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.writer.timeout)
	defer cancel()
	o, err := h.writer.PlaceOrder(ctx, customerID, body.Lines)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	catalog.WriteJSON(w, http.StatusCreated, o)
}

func (h *writeHandlers) setPrice(w http.ResponseWriter, r *http.Request) {
	productID, ok := catalog.IDParam(w, r, "productID")
	if !ok {
		return
	}
	var body struct {
		Price json.Number `json:"price"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.writer.timeout)
	defer cancel()
	p, err := h.writer.SetPrice(ctx, productID, chi.URLParam(r, "sku"), body.Price.String())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	catalog.WriteJSON(w, http.StatusOK, p)
}

func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxWriteBody))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		catalog.WriteError(w, http.StatusBadRequest, "malformed JSON body")
		return false
	}
	return true
}

func (h *writeHandlers) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, catalog.ErrInvalid):
		catalog.WriteError(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, catalog.ErrUnknownCustomer), errors.Is(err, backends.ErrNotFound):
		catalog.WriteError(w, http.StatusNotFound, "not found")
	case errors.Is(err, catalog.ErrUnknownSKU):
		catalog.WriteError(w, http.StatusUnprocessableEntity, "unknown sku")
	default:
		h.log.ErrorContext(r.Context(), "catalog: write failed", "route", chi.RouteContext(r.Context()).RoutePattern(), "err", err)
		catalog.WriteError(w, http.StatusServiceUnavailable, catalog.Unavailable(h.modes.WriteMode(r.Context()).Truth(), err))
	}
}

// Mount registers the write endpoints on r, logging their failures to log:
// give it to catalog.WithWriteRoutes.
//
//	POST /customers/{customerID}/orders              place an order
//	PUT  /products/{productID}/variants/{sku}/price  change a price
func (w *Writer) Mount(r chi.Router, log *slog.Logger) {
	h := &writeHandlers{writer: w, log: log, modes: w.modes}
	r.Post(catalog.RouteCustomerOrders, h.placeOrder)
	r.Put(catalog.RoutePrice, h.setPrice)
}
