package catalog

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The normalised form of an entity, the same from either store for the
// same data: the JSON the read endpoints serve, with decimals in their
// shortest form (12.50 and 12.5 are one price). Its hash feeds the range
// checksums, which are sums and so do not depend on the order in which a
// scan meets the entities.

// canonicalDecimal drops trailing zeros of a decimal: 12.50 → 12.5, 13.00 → 13.
func canonicalDecimal(n json.Number) json.Number {
	s := string(n)
	if strings.Contains(s, ".") {
		s = strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
	}
	return json.Number(s)
}

func normalProduct(p Product) Product {
	p.Variants = append([]Variant{}, p.Variants...)
	for i := range p.Variants {
		p.Variants[i].Price = canonicalDecimal(p.Variants[i].Price)
	}
	return p
}

func normalOrder(o Order) Order {
	o.Total = canonicalDecimal(o.Total)
	o.Lines = append([]OrderLine{}, o.Lines...)
	for i := range o.Lines {
		o.Lines[i].UnitPrice = canonicalDecimal(o.Lines[i].UnitPrice)
	}
	return o
}

// entityJSON is the body the read endpoint serves for the entity.
func entityJSON(v any) []byte {
	var buf bytes.Buffer
	_ = json.NewEncoder(&buf).Encode(v)
	return buf.Bytes()
}

// entityHash hashes an entity's normalised form.
func entityHash(v any) int64 {
	var norm any
	switch x := v.(type) {
	case Product:
		norm = normalProduct(x)
	case Order:
		norm = normalOrder(x)
	default:
		norm = v
	}
	sum := sha256.Sum256(entityJSON(norm))
	return int64(binary.BigEndian.Uint64(sum[:8]))
}

// scannedEntity is one entity met by a scan of the table.
type scannedEntity struct {
	entity Entity
	id     int64
	hash   int64
	items  int
}

// scanSegment reads one parallel-scan segment of the table and returns its
// products and orders, calling wait after each page with the items it
// read. A product's items share a partition, so a segment holds all of
// them.
func (s *DynamoDBStore) scanSegment(ctx context.Context, segment, segments int, wait func(context.Context, int) error) ([]scannedEntity, error) {
	in := &awsddb.ScanInput{
		TableName:      aws.String(s.table),
		Segment:        aws.Int32(int32(segment)),
		TotalSegments:  aws.Int32(int32(segments)),
		ConsistentRead: aws.Bool(true),
	}
	metas := map[int64]map[string]types.AttributeValue{}
	variants := map[int64][]map[string]types.AttributeValue{}
	var out []scannedEntity
	for {
		res, err := s.client.Scan(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("catalog: dynamodb scan segment %d: %w", segment, err)
		}
		if err := wait(ctx, len(res.Items)); err != nil {
			return nil, err
		}
		for _, item := range res.Items {
			pk, _ := item[attrPK].(*types.AttributeValueMemberS)
			sk, _ := item[attrSK].(*types.AttributeValueMemberS)
			if pk == nil || sk == nil {
				continue
			}
			switch {
			case strings.HasPrefix(pk.Value, productPKPfx):
				id, err := strconv.ParseInt(strings.TrimPrefix(pk.Value, productPKPfx), 10, 64)
				if err != nil {
					continue
				}
				if sk.Value == skMeta {
					metas[id] = item
				} else if strings.HasPrefix(sk.Value, skVariantPfx) {
					variants[id] = append(variants[id], item)
				}
			case strings.HasPrefix(pk.Value, customerPKPfx) && strings.HasPrefix(sk.Value, skOrderPfx):
				o, err := decodeOrder(item)
				if err != nil {
					return nil, err
				}
				out = append(out, scannedEntity{EntityOrder, o.ID, entityHash(o), 1})
			}
		}
		if res.LastEvaluatedKey == nil {
			break
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
	for id, meta := range metas {
		vs := variants[id]
		sortVariantItems(vs)
		p, err := decodeProduct(meta, vs)
		if err != nil {
			return nil, err
		}
		out = append(out, scannedEntity{EntityProduct, id, entityHash(p), 1 + len(vs)})
	}
	// Variants without their product: an entity with items but no META,
	// which the read endpoint serves as not found. Count the items.
	for id, vs := range variants {
		if metas[id] == nil {
			out = append(out, scannedEntity{EntityProduct, id, 0, len(vs)})
		}
	}
	return out, nil
}

// sortVariantItems orders variant items by sort key, as a Query returns
// them; a scan need not.
func sortVariantItems(items []map[string]types.AttributeValue) {
	skOf := func(m map[string]types.AttributeValue) string {
		s, _ := m[attrSK].(*types.AttributeValueMemberS)
		if s == nil {
			return ""
		}
		return s.Value
	}
	for i := 1; i < len(items); i++ {
		for j := i; j > 0 && skOf(items[j]) < skOf(items[j-1]); j-- {
			items[j], items[j-1] = items[j-1], items[j]
		}
	}
}
