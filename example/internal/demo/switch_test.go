package demo

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/shadowread/shadowread/backends"
	"github.com/shadowread/shadowread/flags"
	"github.com/shadowread/shadowread/telemetry"
)

func TestProductPage(t *testing.T) {
	tests := []struct {
		path   string
		want   bool
		reason string
	}{
		{"/products/42", true, "the product page is the regression's route"},
		{"/products/42/variants/A-1/price", false, "a price write reads DynamoDB too, but is no read of the route"},
		{"/customers/7/orders", false, "other routes are untouched"},
		{"", false, "a call outside a request (backfill, verification) is untouched"},
	}
	for _, tt := range tests {
		ctx := context.WithValue(context.Background(), pathKey{}, tt.path)
		if got := productPage(ctx); got != tt.want {
			t.Errorf("productPage(%q) = %v, want %v: %s", tt.path, got, tt.want, tt.reason)
		}
	}
}

func TestRegressNames(t *testing.T) {
	body := []byte(`{"Count":2,"Items":[{"PK":{"S":"PRODUCT#1"},"SK":{"S":"META"},"name":{"S":"Lamp"},"price":{"N":"49.90"}},{"PK":{"S":"PRODUCT#1"},"SK":{"S":"VARIANT#A"},"name":{"S":"Red"}}],"ScannedCount":2}`)
	out, ok := regressNames(body)
	if !ok {
		t.Fatal("regressNames changed nothing")
	}
	var got struct {
		Count int
		Items []map[string]map[string]string
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if got.Count != 2 || got.Items[0]["name"]["S"] != "Lamp"+RegressionSuffix || got.Items[1]["name"]["S"] != "Red"+RegressionSuffix {
		t.Errorf("regressNames = %s, want every name suffixed and the rest kept", out)
	}
	if got.Items[0]["price"]["N"] != "49.90" {
		t.Errorf("price %q, want 49.90 kept as written", got.Items[0]["price"]["N"])
	}
	if _, ok := regressNames([]byte(`{"Items":[]}`)); ok {
		t.Error("an answer without items was changed")
	}
}

func TestSwitchWatch(t *testing.T) {
	w := NewSwitchWatch()
	ctx := context.Background()
	for _, e := range []telemetry.Event{
		{Route: "/a", Primary: backends.Postgres, Outcome: telemetry.Match},
		{Route: "/a", Primary: backends.Postgres, Outcome: telemetry.Mismatch},
		{Route: "/a", Primary: backends.DynamoDB, Outcome: telemetry.Mismatch, NoiseBaseline: true},
		{Route: "/a", Primary: backends.DynamoDB, Outcome: telemetry.Transient},
		{Route: "/a", Primary: backends.DynamoDB, Outcome: telemetry.Match},
	} {
		w.Record(ctx, e)
	}
	if n, f := w.Forward("/a"); n != 2 || f != 1 {
		t.Errorf("Forward = %d, %d; want 2 comparisons, 1 mismatch", n, f)
	}
	if n, f := w.Reverse("/a"); n != 1 || f != 0 {
		t.Errorf("Reverse = %d, %d; want 1 comparison: a baseline and a transient are no verdict", n, f)
	}
	if _, ok := w.FirstReverseMismatch("/a"); ok {
		t.Error("a first reverse mismatch without one")
	}
	w.Record(ctx, telemetry.Event{Route: "/a", Primary: backends.DynamoDB, Outcome: telemetry.Mismatch})
	if _, ok := w.FirstReverseMismatch("/a"); !ok {
		t.Error("no first reverse mismatch after one")
	}
	w.Reset()
	if n, _ := w.Forward("/a"); n != 0 {
		t.Errorf("Forward after Reset = %d, want 0", n)
	}
}

func TestPrimaryShareFlag(t *testing.T) {
	out, err := primaryShareFlag([]byte(`{"flags":{"shadowread.primary":{"state":"ENABLED"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Flags map[string]struct {
			DefaultVariant string             `json:"defaultVariant"`
			Variants       map[string]float64 `json:"variants"`
		} `json:"flags"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	f, ok := doc.Flags[flags.KeyPrimaryPercent]
	if !ok || f.Variants[f.DefaultVariant] != 0 || len(doc.Flags) != 2 {
		t.Errorf("flags %s, want the primary flag kept and %s at 0", out, flags.KeyPrimaryPercent)
	}
}
