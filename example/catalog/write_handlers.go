package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/shadowread/shadowread/backends"
)

// writeHandlers are the write endpoints. They are never shadowed: the
// dual write is how DynamoDB gets the change.
type writeHandlers struct {
	writer *DualWriter
	log    *slog.Logger
	modes  WriteModeSource
}

// maxWriteBody bounds a write request's body.
const maxWriteBody = 64 << 10

func (h *writeHandlers) placeOrder(w http.ResponseWriter, r *http.Request) {
	customerID, ok := idParam(w, r, "customerID")
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
	writeJSON(w, http.StatusCreated, o)
}

func (h *writeHandlers) setPrice(w http.ResponseWriter, r *http.Request) {
	productID, ok := idParam(w, r, "productID")
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
	writeJSON(w, http.StatusOK, p)
}

func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxWriteBody))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "malformed JSON body")
		return false
	}
	return true
}

func (h *writeHandlers) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, ErrInvalid):
		writeError(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, ErrUnknownCustomer), errors.Is(err, backends.ErrNotFound):
		writeError(w, http.StatusNotFound, "not found")
	case errors.Is(err, ErrUnknownSKU):
		writeError(w, http.StatusUnprocessableEntity, "unknown sku")
	default:
		h.log.ErrorContext(r.Context(), "catalog: write failed", "route", chi.RouteContext(r.Context()).RoutePattern(), "err", err)
		writeError(w, http.StatusServiceUnavailable, unavailable(h.modes.WriteMode(r.Context()).Truth(), err))
	}
}
