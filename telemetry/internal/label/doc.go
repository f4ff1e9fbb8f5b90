// Package label bounds the strings the recorder keeps and emits: routes,
// diff paths and fields are clipped, and a difference is named by its
// index-free field.
package label
