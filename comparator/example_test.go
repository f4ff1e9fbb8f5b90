package comparator_test

import (
	"fmt"

	"github.com/shadowread/shadowread/comparator"
)

func response(body string) comparator.Response {
	return comparator.Response{Status: 200, Body: []byte(body)}
}

func ExampleJSON() {
	c := comparator.JSON()
	res := c.Compare(
		response(`{"id":7,"name":"Hedge trimmer","price":12.50,"tags":["garden","tools"]}`),
		response(`{"name":"Hedge trimmer","id":7,"price":13,"tags":["garden"]}`),
	)
	fmt.Println("equal:", res.Equal)
	for _, d := range res.Diffs {
		fmt.Println(d.Path, d.Kind)
	}
	// Output:
	// equal: false
	// price value_changed
	// tags[1] missing_in_shadow
}

func ExamplePostgresDynamoDB() {
	c := comparator.JSON(comparator.PostgresDynamoDB())

	// The same product from both stores: NUMERIC against a float64, micro-
	// against milliseconds, a NULL column and an empty array against
	// attributes the item does not have.
	fromPostgres := response(`{"id":7,"price":12.50,"updated_at":"2024-05-01T10:00:00.123456Z","discontinued_at":null,"tags":[]}`)
	fromDynamoDB := response(`{"id":7,"price":12.5,"updated_at":"2024-05-01T10:00:00.123Z"}`)
	fmt.Println("same product:", c.Compare(fromPostgres, fromDynamoDB).Equal)

	// A real change is never hidden.
	changed := response(`{"id":"7","price":12.5,"updated_at":"2024-05-01T10:00:01.123Z"}`)
	for _, d := range c.Compare(fromPostgres, changed).Diffs {
		fmt.Println(d.Path, d.Kind)
	}
	// Output:
	// same product: true
	// id type_changed
	// updated_at value_changed
}

func ExampleIgnorePaths() {
	c := comparator.JSON(comparator.IgnorePaths("items[*].updated_at", "meta.*"))
	res := c.Compare(
		response(`{"items":[{"id":1,"updated_at":"a"},{"id":2,"updated_at":"b"}],"meta":{"took_ms":12,"node":"pg-1"}}`),
		response(`{"items":[{"id":1,"updated_at":"c"},{"id":3,"updated_at":"d"}],"meta":{"took_ms":3}}`),
	)
	for _, d := range res.Diffs {
		fmt.Println(d)
	}
	// Output:
	// items[1].id: value_changed: number(#c16e89) -> number(#b04609)
}

func ExampleResult_Signature() {
	c := comparator.JSON()
	a := c.Compare(response(`[{"price":1},{"price":2}]`), response(`[{"price":1},{"price":3}]`))
	b := c.Compare(response(`[{"price":5},{"price":6}]`), response(`[{"price":7},{"price":6}]`))
	fmt.Println(a.Diffs[0].Path, b.Diffs[0].Path)
	fmt.Println("same mismatch:", a.Signature() == b.Signature())
	// Output:
	// [1].price [0].price
	// same mismatch: true
}

func ExampleWithout() {
	// This API tells null from absent: keep the rest of the preset.
	c := comparator.JSON(comparator.PostgresDynamoDB(), comparator.Without(comparator.NullEqualsMissing()))
	res := c.Compare(response(`{"id":7,"note":null}`), response(`{"id":7}`))
	fmt.Println(res.Diffs[0].Path, res.Diffs[0].Kind)
	// Output: note missing_in_shadow
}

func ExampleShowValues() {
	c := comparator.JSON(comparator.ShowValues())
	res := c.Compare(response(`{"status":"shipped"}`), response(`{"status":"pending"}`))
	fmt.Println(res.Diffs[0])
	// Output: status: value_changed: "shipped" -> "pending"
}
