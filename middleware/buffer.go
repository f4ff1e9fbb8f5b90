package middleware

// cappedBuffer keeps the bytes written to it as long as they fit in max.
// Once more are written it lets go of them and only remembers the overflow:
// a body over the cap is never compared, so holding its first bytes would
// only keep memory from the garbage collector while a long response
// streams on. Writes never fail, so the handler writing through it behaves
// as it would without the middleware.
type cappedBuffer struct {
	buf      []byte
	max      int64
	overflow bool
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	switch {
	case b.overflow:
	case int64(len(p)) > b.max-int64(len(b.buf)):
		b.drop()
	default:
		b.buf = append(b.buf, p...)
	}
	return len(p), nil
}

// drop marks the buffer as over the cap and lets go of its bytes.
func (b *cappedBuffer) drop() { b.overflow, b.buf = true, nil }
