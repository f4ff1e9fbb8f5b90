// Package comparator decides whether a shadow response matches its primary
// and, when it does not, says where and how they differ.
//
// The shadow-read middleware hands every sampled pair of responses to a
// [Comparator]. [JSON] builds the one for JSON APIs, and [PostgresDynamoDB]
// is the preset that absorbs what legitimately differs between the two
// stores (12.50 against 12.5, microseconds against milliseconds, NULL
// against a missing attribute, entities in another order) and nothing else:
//
//	c := comparator.JSON(comparator.PostgresDynamoDB(), comparator.IgnorePaths("items[*].etag"))
//	res := c.Compare(primary, shadow)
//	if !res.Equal {
//		log.Printf("mismatch %s: %v", res.Signature(), res.Diffs)
//	}
//
// Status codes are compared first, then the headers that carry data
// (Location of a redirect), then bodies of 2xx responses as JSON documents:
// members in any order, numbers by exact decimal value. Options name places
// in a document with paths such as "items[*].price" and "**.trace_id".
//
// A [Result] lists its differences as [Diff] values with a path, an
// index-free field (orders[].status), a [Kind] and a [Hint] that triages
// the difference as representation, data loss or unknown; nothing is
// absorbed because of a hint. [Result.Signature] names the shape of a
// mismatch, the same across requests and processes. Values, and member
// names that look like data, are redacted unless [ShowValues] or
// [ShowKeys] says otherwise. Panics inside a comparison are recovered into
// [Result.Err]. A Comparator built by JSON is safe for concurrent use.
//
// The guide [docs/comparison.md] explains what is compared, the path
// syntax, every option, the PostgreSQL and DynamoDB rules and the redaction
// of results; [docs/verdicts.md] explains signatures and triage.
//
// [docs/comparison.md]: https://github.com/shadowread/shadowread/blob/main/docs/comparison.md
// [docs/verdicts.md]: https://github.com/shadowread/shadowread/blob/main/docs/verdicts.md
package comparator
