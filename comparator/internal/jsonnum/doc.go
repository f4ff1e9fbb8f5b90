// Package jsonnum compares JSON number literals exactly, as decimal text,
// without converting them to float64: "12.50", "12.5" and "1.25e1" are one
// number, and two literals that differ in their last of forty digits are
// two.
package jsonnum
