package comparator

import "time"

// PostgresDynamoDB returns the rules for comparing what the same handler
// serves from PostgreSQL and from DynamoDB: what really differs between
// the two stores, and nothing more. The package documentation gives each
// rule with its cause. Use it as an option and add to it, or take a rule
// back with [Without]:
//
//	comparator.JSON(comparator.PostgresDynamoDB(), comparator.IgnorePaths("etag"))
//	comparator.JSON(comparator.PostgresDynamoDB(), comparator.Without(comparator.NullEqualsMissing()))
//
// It never hides a changed value, a changed JSON type ("1" vs 1), a list
// of values in another order or timestamps a second apart. Arrays whose
// elements are all objects with a distinct scalar "id" are matched by that
// id ([KeyedArrays]), so one missing entity is one difference.
func PostgresDynamoDB() Option {
	return Options{
		// NUMERIC vs Number: numbers are compared by value (12.50 equals
		// 12.5) anyway; the tolerance absorbs float64 rounding on the way.
		FloatTolerance(0, PostgresDynamoDBRelTolerance),
		// timestamptz keeps microseconds, items usually milliseconds.
		TimePrecision(time.Millisecond),
		// A NULL column is an absent attribute.
		NullEqualsMissing(),
		// An empty array or set is an absent attribute.
		EmptyEqualsMissing(),
		// Lists of entities come back in another order (a Query's sort
		// key against an ORDER BY, or none): match them by id.
		KeyedArrays("**", "id"),
	}
}

// PostgresDynamoDBRelTolerance is the relative tolerance of
// [PostgresDynamoDB]: 12 significant digits. float64 holds 15 to 17, and
// results computed in float64 differ from exact NUMERIC arithmetic in the
// last of them; one cent stays visible below ten billion.
const PostgresDynamoDBRelTolerance = 1e-12
