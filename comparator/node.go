package comparator

// jsonType is the JSON type of a decoded value.
type jsonType uint8

const (
	typeNull jsonType = iota
	typeBool
	typeNumber
	typeString
	typeArray
	typeObject
)

func (t jsonType) String() string {
	switch t {
	case typeNull:
		return "null"
	case typeBool:
		return "bool"
	case typeNumber:
		return "number"
	case typeString:
		return "string"
	case typeArray:
		return "array"
	default:
		return "object"
	}
}

// node is one decoded JSON value. The comparator decodes into this small
// tree rather than into map[string]any: it keeps number literals exactly,
// keeps object members in a sorted slice that two objects can be merged
// over, and carries what the normalisation pass decided about the value.
type node struct {
	typ jsonType
	// unordered marks an array at an [UnorderedPaths] path.
	unordered bool
	// text holds a string's value, a number's literal, or "true"/"false".
	text    string
	elems   []node   // array elements
	members []member // object members, sorted by key
}

type member struct {
	key   string
	value node
}
