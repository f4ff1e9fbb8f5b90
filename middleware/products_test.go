package middleware_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/backends/postgres"
)

// Product is what the catalog's read endpoint returns, from either store.
type Product struct {
	ID        string    `json:"id" dynamodbav:"id"`
	Name      string    `json:"name" dynamodbav:"name"`
	Price     float64   `json:"price" dynamodbav:"price"`
	UpdatedAt time.Time `json:"updated_at" dynamodbav:"updated_at"`
}

// ProductStore is the user's store interface, implemented once per backend.
type ProductStore interface {
	Get(ctx context.Context, id string) (Product, error)
}

type pgProductStore struct{ pool *pgxpool.Pool }

func (s *pgProductStore) Get(ctx context.Context, id string) (Product, error) {
	var p Product
	err := s.pool.QueryRow(ctx,
		`SELECT id, name, price::float8, updated_at FROM products WHERE id = $1`, id,
	).Scan(&p.ID, &p.Name, &p.Price, &p.UpdatedAt)
	return p, postgres.MapError(err)
}

type ddbProductStore struct {
	client *awsddb.Client
	table  string
}

func (s *ddbProductStore) Get(ctx context.Context, id string) (Product, error) {
	out, err := s.client.GetItem(ctx, &awsddb.GetItemInput{
		TableName: aws.String(s.table),
		Key: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: "PRODUCT#" + id},
			"SK": &types.AttributeValueMemberS{Value: "META"},
		},
	})
	if err != nil {
		return Product{}, err
	}
	if out.Item == nil {
		return Product{}, backends.ErrNotFound
	}
	var p Product
	err = attributevalue.UnmarshalMap(out.Item, &p)
	return p, err
}

// getProduct is the user's read handler, written once against ProductStore.
func getProduct(products *backends.Router[ProductStore]) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := products.For(r.Context()).Get(r.Context(), chi.URLParam(r, "id"))
		writeProduct(w, p, err)
	}
}

func writeProduct(w http.ResponseWriter, p Product, err error) {
	switch {
	case errors.Is(err, backends.ErrNotFound):
		http.Error(w, `{"error":"not found"}`, http.StatusNotFound)
	case err != nil:
		http.Error(w, `{"error":"store unavailable"}`, http.StatusServiceUnavailable)
	default:
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(p)
	}
}
