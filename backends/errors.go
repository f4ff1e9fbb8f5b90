package backends

import "errors"

// ErrNotFound is returned by stores when the requested item does not exist.
// Both backend sub-packages map their drivers' "no row" and "no item" results
// to it, so a handler answers 404 the same way whichever store served it.
var ErrNotFound = errors.New("backends: not found")
