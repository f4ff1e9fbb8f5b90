package comparator_test

import (
	"fmt"
	"net/http"
	"strings"

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

func ExampleKeyedArrays() {
	c := comparator.JSON(comparator.KeyedArrays("orders", "id"))
	res := c.Compare(
		response(`{"orders":[{"id":17,"status":"shipped"},{"id":18,"status":"open"},{"id":19,"status":"open"}]}`),
		response(`{"orders":[{"id":19,"status":"paid"},{"id":18,"status":"open"}]}`),
	)
	for _, d := range res.Diffs {
		fmt.Println(d.Path, d.Field, d.Kind)
	}
	// Output:
	// orders[id=17] orders[] missing_in_shadow
	// orders[id=19].status orders[].status value_changed
}

func ExampleFunc() {
	// A comparator of status codes alone.
	var c comparator.Comparator = comparator.Func(func(primary, shadow comparator.Response) comparator.Result {
		return comparator.Result{Equal: primary.Status == shadow.Status}
	})
	fmt.Println(c.Compare(response(`{"a":1}`), response(`{"a":2}`)).Equal)
	// Output: true
}

func ExampleMapPaths() {
	// Carts are keyed by product code: data, not field names.
	c := comparator.JSON(comparator.MapPaths("carts"))
	res := c.Compare(response(`{"carts":{"hedge":2}}`), response(`{"carts":{"hedge":3}}`))
	fmt.Println(res.Diffs[0].Path)
	// Output: carts.<redacted:97fe>
}

func ExampleShowKeys() {
	primary := response(`{"sessions":{"tok_9f8e7d6c5b4a3f2e1d0c":{"expires":1}}}`)
	shadow := response(`{"sessions":{"tok_9f8e7d6c5b4a3f2e1d0c":{"expires":2}}}`)

	// A token used as a key is redacted in paths by default.
	fmt.Println(comparator.JSON().Compare(primary, shadow).Diffs[0].Path)
	// Keys that may be shown are allow-listed.
	fmt.Println(comparator.JSON(comparator.ShowKeys("sessions")).Compare(primary, shadow).Diffs[0].Path)
	// Output:
	// sessions.<redacted:85ac>.expires
	// sessions.tok_9f8e7d6c5b4a3f2e1d0c.expires
}

func ExampleHint() {
	c := comparator.JSON()
	res := c.Compare(
		response(`{"total":0.3,"price":19.99,"note":null,"amount":1234567.8912,"status":"shipped"}`),
		response(`{"total":0.30000000000000004,"price":19.989999771118164,"amount":1234567.89,"status":"pending"}`),
	)
	for _, d := range res.Diffs {
		fmt.Println(strings.TrimSpace(fmt.Sprintf("%s: %s %q %s", d.Path, d.Hint.Triage, d.Hint.Option, d.Hint.Note)))
	}
	// Output:
	// amount: data_loss "" the shadow's number is the primary's rounded to 2 decimals
	// note: representation "NullEqualsMissing()" null against an absent member
	// price: data_loss "" the shadow's number is the primary's rounded to float32
	// status: unknown ""
	// total: representation "FloatTolerance(0, 1e-12)" float64 noise: equal within a relative 1e-12, one side written with float64's digits
}

// A redirect's Location names a resource the store chose, so it is
// compared by default, as a URL; redacted like any value.
func ExampleJSON_location() {
	redirect := func(location string) comparator.Response {
		return comparator.Response{Status: 302, Header: http.Header{"Location": {location}}}
	}
	c := comparator.JSON(comparator.PostgresDynamoDB())
	fmt.Println(c.Compare(redirect("/orders/17?page=2&size=10"), redirect("/orders/17?size=10&page=2")).Equal)
	d := c.Compare(redirect("/orders/17"), redirect("/orders/18")).Diffs[0]
	fmt.Println(d.Field, d.Kind, d.Hint.Triage, d.Hint.Note)
	// Output:
	// true
	// $header.Location value_changed unknown the URLs differ in path
}
