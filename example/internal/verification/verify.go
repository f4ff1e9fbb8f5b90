package verification

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/shadowread/shadowread/example/internal/catalog"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/verify"
)

// NewVerifier returns a worker of [verify] for the catalog: customers,
// products and orders, each listed by key range from PostgreSQL and read
// from DynamoDB through the read path the endpoints serve, and the table
// scanned in parallel segments. Runs are kept in the catalog's
// PostgreSQL; any number of workers, in any number of processes, share
// one.
func NewVerifier(pg *catalog.PostgresStore, ddb *catalog.DynamoDBStore, opts ...verify.Option) *verify.Verifier {
	src, dst := source{pg}, target{ddb}
	kinds := []verify.Kind{
		{Name: string(catalog.EntityCustomer), MaxID: maxID(pg, catalog.EntityCustomer), Source: src.verifyCustomers, Target: dst.verifyCustomer},
		{Name: string(catalog.EntityProduct), MaxID: maxID(pg, catalog.EntityProduct), Source: src.verifyProducts, Target: dst.verifyProduct},
		{Name: string(catalog.EntityOrder), MaxID: maxID(pg, catalog.EntityOrder), Source: src.verifyOrders, Target: dst.verifyOrder},
	}
	return verify.New(pg.Pool(), dst.verifyScan, kinds, opts...)
}

// source and target are the stores as the verifier reads them: PostgreSQL
// by id range, DynamoDB by id and by scan.
type source struct{ *catalog.PostgresStore }
type target struct{ *catalog.DynamoDBStore }

func maxID(s *catalog.PostgresStore, e catalog.Entity) func(context.Context) (int64, error) {
	return func(ctx context.Context) (int64, error) {
		last, _, err := s.IDSpan(ctx, e, 1)
		return last, err
	}
}

func (s source) verifyCustomers(ctx context.Context, lo, hi int64) ([]verify.Entity, error) {
	cs, err := s.CustomersInRange(ctx, lo, hi)
	out := make([]verify.Entity, len(cs))
	for i, c := range cs {
		out[i] = verifiedEntity(catalog.EntityCustomer, c.ID, customerView(c), catalog.CustomerItem(c))
	}
	return out, err
}

func (s source) verifyProducts(ctx context.Context, lo, hi int64) ([]verify.Entity, error) {
	ps, err := s.ProductsInRange(ctx, lo, hi)
	out := make([]verify.Entity, len(ps))
	for i, p := range ps {
		out[i] = verifiedEntity(catalog.EntityProduct, p.ID, p, catalog.ProductItems(p)...)
	}
	return out, err
}

func (s source) verifyOrders(ctx context.Context, lo, hi int64) ([]verify.Entity, error) {
	orders, err := s.OrdersInRange(ctx, lo, hi)
	out := make([]verify.Entity, len(orders))
	for i, o := range orders {
		out[i] = verifiedEntity(catalog.EntityOrder, o.ID, o, catalog.OrderItem(o))
	}
	return out, err
}

func (s target) verifyProduct(ctx context.Context, id int64) (verify.Entity, error) {
	p, err := s.Product(ctx, id)
	return readEntity(catalog.EntityProduct, id, p, err)
}

func (s target) verifyOrder(ctx context.Context, id int64) (verify.Entity, error) {
	o, err := s.Order(ctx, id)
	return readEntity(catalog.EntityOrder, id, o, err)
}

// verifyCustomer reads a customer's profile item. No endpoint serves
// customers; the orders endpoints check them, so this is their read.
func (s target) verifyCustomer(ctx context.Context, id int64) (verify.Entity, error) {
	out, err := s.Client().GetItem(ctx, &awsddb.GetItemInput{TableName: aws.String(s.Table()), Key: catalog.CustomerKey(id), ConsistentRead: aws.Bool(true)})
	switch {
	case err != nil:
		return verify.Entity{}, fmt.Errorf("catalog: dynamodb get customer %d: %w", id, err)
	case out.Item == nil:
		return readEntity(catalog.EntityCustomer, id, nil, backends.ErrNotFound)
	}
	c, err := decodeCustomer(out.Item)
	return readEntity(catalog.EntityCustomer, id, customerView(c), err)
}

// readEntity turns a store read into the entity verification compares: a
// 404 for a missing one, a finding for one that cannot be decoded, an
// error only for a failed read.
func readEntity(e catalog.Entity, id int64, v any, err error) (verify.Entity, error) {
	ent := verify.Entity{Kind: string(e), ID: id}
	switch {
	case err == nil:
		ent.Response = entityResponse(v)
	case storeFailure(err):
		return ent, err
	case errors.Is(err, backends.ErrNotFound):
		ent.Response = notFoundResponse()
	default:
		ent.Err = err
	}
	return ent, nil
}

// storeFailure reports whether err is the store's or the context's (the
// read is retried) rather than the data's (a finding).
func storeFailure(err error) bool {
	var op *smithy.OperationError
	return errors.As(err, &op) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// verifiedEntity is an entity as PostgreSQL implies it: the read
// endpoint's response and the keys of the items the copy writes.
func verifiedEntity(e catalog.Entity, id int64, v any, items ...itemAttrs) verify.Entity {
	ent := verify.Entity{Kind: string(e), ID: id, Response: entityResponse(v)}
	for _, it := range items {
		ent.Items = append(ent.Items, itemKey(it))
	}
	return ent
}

// customerJSON is a customer as verification renders it; no endpoint
// serves customers.
type customerJSON struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	CreatedAt time.Time `json:"created_at"`
}

func customerView(c catalog.Customer) customerJSON {
	return customerJSON{ID: c.ID, Name: c.Name, Email: c.Email, CreatedAt: c.CreatedAt.UTC()}
}

// entityResponse is the read endpoint's response for an entity, encoded
// as writeJSON encodes it.
func entityResponse(v any) comparator.Response {
	var buf bytes.Buffer
	_ = json.NewEncoder(&buf).Encode(v)
	return comparator.Response{Status: http.StatusOK, Header: jsonHeader(), Body: buf.Bytes()}
}

// notFoundResponse is what the read endpoints answer for a missing entity.
func notFoundResponse() comparator.Response {
	return comparator.Response{Status: http.StatusNotFound, Header: jsonHeader(), Body: []byte(`{"error":"not found"}`)}
}

func jsonHeader() http.Header { return http.Header{"Content-Type": {"application/json"}} }
