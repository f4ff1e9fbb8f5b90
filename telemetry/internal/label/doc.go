// Package label bounds the strings the recorder keeps and emits: routes,
// diff paths and fields are clipped, a difference is named by its
// index-free field, and entity keys are redacted unless shown.
package label
