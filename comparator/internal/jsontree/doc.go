// Package jsontree decodes a JSON document into a compact tree that two
// documents can be compared over: number literals stay exact text, object
// members are sorted by name, and all nodes live in one reusable arena that
// points into the body instead of copying it.
package jsontree
