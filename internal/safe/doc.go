// Package safe holds the recover-and-report step that background work and
// user callbacks share: a panic there must not reach the user's request or
// take the process down, yet must not vanish either.
package safe
